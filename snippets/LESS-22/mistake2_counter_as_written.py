from lab import get_parameter

_request_count = 0
_config = None


def initialize():
    global _config
    _config = {"timeout": int(get_parameter("/app/timeout"))}


def handler(event, context):
    _request_count += 1  # no `global`: this name is local, so this line raises
    if _request_count == 1:
        initialize()
    return {"timeout": _config["timeout"]}
