import uuid

from lab import register_after_restore, work

INSTANCE_ID = str(uuid.uuid4())


@register_after_restore
def new_instance_id():
    """Runs in each environment restored from the snapshot, before its first request."""
    global INSTANCE_ID
    INSTANCE_ID = str(uuid.uuid4())


def handler(event, context):
    work(5)
    return {"instance": INSTANCE_ID, "request": event["request"]}
