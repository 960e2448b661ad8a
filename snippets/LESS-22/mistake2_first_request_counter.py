from lab import get_parameter

_request_count = 0
_config = None


def initialize():
    global _config
    _config = {"timeout": int(get_parameter("/app/timeout"))}


def handler(event, context):
    global _request_count
    _request_count += 1
    if _request_count == 1:  # "the first request": of this container only
        initialize()  # if this fails, no later request retries it
    return {"timeout": _config["timeout"]}
