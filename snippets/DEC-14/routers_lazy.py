import importlib

from lab import work

INTERFACES = ("auth", "billing", "cache", "config", "email", "http",
              "logging", "metrics", "queue", "search", "secrets", "storage")


def router(name):
    if name not in INTERFACES:
        known = ", ".join(INTERFACES)
        raise LookupError(f"unknown interface {name!r}; known interfaces: {known}")
    # The first call in a container imports the module; every later call gets the
    # same module object back from sys.modules, at no import cost.
    return importlib.import_module(f"interface_{name}")


def handler(event, context):
    results = {}
    for name in event["interfaces"]:
        work(5)  # the request's own work with this interface
        results[name] = router(name).process(event["payload"])
    return results
