from types import MappingProxyType

from lab import object_store

S3 = object_store()  # a client: built once, safely reused by every request
CONFIG = MappingProxyType({"timeout": 30, "max_retries": 3})  # read-only view


def handler(event, context):
    # CONFIG["timeout"] = 5 would raise TypeError: per-request values stay local.
    timeout = event.get("timeout", CONFIG["timeout"])
    report = S3.get("reports/latest.json")
    return {"timeout": timeout, "report_bytes": len(report)}
