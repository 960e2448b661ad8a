import importlib

from lab import work

MODULES = {name: f"interface_{name}" for name in (
    "auth", "billing", "cache", "config", "email", "http",
    "logging", "metrics", "queue", "search", "secrets", "storage")}


class UnknownInterface(LookupError):
    pass


def router(name):
    if name not in MODULES:
        known = ", ".join(sorted(MODULES))
        message = f"unknown interface {name!r}; known interfaces: {known}"
        raise UnknownInterface(message)
    return importlib.import_module(MODULES[name])


def handler(event, context):
    results = {}
    for name in event["interfaces"]:
        work(5)
        results[name] = router(name).process(event["payload"])
    return results
