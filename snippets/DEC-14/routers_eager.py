import importlib

from lab import work

INTERFACES = ("auth", "billing", "cache", "config", "email", "http",
              "logging", "metrics", "queue", "search", "secrets", "storage")

# Every router is imported in the cold start, whether a request needs it or not.
ROUTERS = {
    name: importlib.import_module(f"interface_{name}") for name in INTERFACES
}


def handler(event, context):
    results = {}
    for name in event["interfaces"]:
        work(5)  # the request's own work with this interface
        results[name] = ROUTERS[name].process(event["payload"])
    return results
