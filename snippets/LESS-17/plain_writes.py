"""The same handler without the lock: one event at a time, nothing interleaves."""

from lab import work

_served = {}  # route -> requests this container has served


def handler(event, context):
    route = event["route"]
    _served[route] = _served.get(route, 0) + 1
    work(10)  # the rest of the request
    return {"route": route, "served_here": _served[route]}
