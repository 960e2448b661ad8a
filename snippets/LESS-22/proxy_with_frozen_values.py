from types import MappingProxyType

RETRY = MappingProxyType({"attempts": 3, "backoff_ms": 100})
CONFIG = MappingProxyType({"retry": RETRY})  # read-only at every level


def handler(event, context):
    # CONFIG["retry"]["attempts"] = 1 would raise TypeError: overrides stay local.
    attempts = event.get("attempts", CONFIG["retry"]["attempts"])
    return {"attempts": attempts}
