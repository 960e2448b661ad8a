from lab import get_parameter, singleton_get_or_create


def load_config():
    return {"timeout": int(get_parameter("/app/timeout"))}


def handler(event, context):
    # Created on first use; if loading fails nothing is stored, so the next call retries.
    config = singleton_get_or_create("config", load_config)
    return {"timeout": config["timeout"]}
