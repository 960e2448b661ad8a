from lab import object_store

S3 = object_store()  # a client: built once, safely reused by every request
CONFIG = {"timeout": 30, "max_retries": 3}  # a plain dict: any request can change it


def handler(event, context):
    config = CONFIG  # the same object, not a copy
    if "timeout" in event:
        config["timeout"] = event["timeout"]  # meant for this request only
    report = S3.get("reports/latest.json")
    return {"timeout": config["timeout"], "report_bytes": len(report)}
