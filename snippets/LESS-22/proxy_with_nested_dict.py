from types import MappingProxyType

CONFIG = MappingProxyType({"retry": {"attempts": 3, "backoff_ms": 100}})  # shallow view


def handler(event, context):
    retry = CONFIG["retry"]  # the nested dict itself: the proxy does not guard it
    if "attempts" in event:
        retry["attempts"] = event["attempts"]  # meant for this request only
    return {"attempts": retry["attempts"]}
