import importlib

from lab import work

MODULES = {name: f"interface_{name}" for name in (
    "auth", "billing", "cache", "config", "email", "http",
    "logging", "metrics", "queue", "search", "secrets", "storage")}


def router(name):
    return importlib.import_module(MODULES[name])  # a typo raises KeyError: 'cahce'


def handler(event, context):
    results = {}
    for name in event["interfaces"]:
        work(5)
        results[name] = router(name).process(event["payload"])
    return results
