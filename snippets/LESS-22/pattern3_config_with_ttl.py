from types import MappingProxyType

from lab import get_parameter, now

MAX_AGE = 60.0  # seconds a loaded value may be used before it is read again
_config = None
_loaded_at = 0.0


def get_config():
    global _config, _loaded_at
    if _config is None or now() - _loaded_at >= MAX_AGE:
        _config = MappingProxyType({"timeout": int(get_parameter("/app/timeout"))})
        _loaded_at = now()
    return _config


def handler(event, context):
    return {"timeout": get_config()["timeout"]}
