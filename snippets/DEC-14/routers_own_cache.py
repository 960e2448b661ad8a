import importlib

from lab import work

INTERFACES = ("auth", "billing", "cache", "config", "email", "http",
              "logging", "metrics", "queue", "search", "secrets", "storage")

_loaded = {}  # kept by hand: the same modules sys.modules already keeps


def router(name):
    if name not in INTERFACES:
        known = ", ".join(INTERFACES)
        raise LookupError(f"unknown interface {name!r}; known interfaces: {known}")
    if name not in _loaded:
        _loaded[name] = importlib.import_module(f"interface_{name}")
    return _loaded[name]


def handler(event, context):
    results = {}
    for name in event["interfaces"]:
        work(5)  # the request's own work with this interface
        results[name] = router(name).process(event["payload"])
    return results
