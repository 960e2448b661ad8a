from lab import get_parameter

# Runs in the init phase of each container. If it fails, the platform discards
# the container and the next request starts a fresh one.
CONFIG = {"timeout": int(get_parameter("/app/timeout"))}


def handler(event, context):
    return {"timeout": CONFIG["timeout"]}
