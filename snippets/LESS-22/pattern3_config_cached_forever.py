from lab import get_parameter

_CONFIG = None


def get_config():
    global _CONFIG
    if _CONFIG is None:  # loaded once per container, then never again
        _CONFIG = {"timeout": int(get_parameter("/app/timeout"))}
    return _CONFIG


def handler(event, context):
    return {"timeout": get_config()["timeout"]}
