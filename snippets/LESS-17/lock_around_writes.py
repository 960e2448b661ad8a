"""A lock around each write to module state, in a one-event-at-a-time handler."""

import threading

from lab import work

_lock = threading.Lock()
_served = {}  # route -> requests this container has served


def handler(event, context):
    route = event["route"]
    with _lock:  # no other invocation can be running in this process
        _served[route] = _served.get(route, 0) + 1
    work(10)  # the rest of the request
    return {"route": route, "served_here": _served[route]}
