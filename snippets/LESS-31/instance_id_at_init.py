import uuid

from lab import work

# Made once, by the module code: with SnapStart, once for every environment
# restored from the snapshot.
INSTANCE_ID = str(uuid.uuid4())


def handler(event, context):
    work(5)
    return {"instance": INSTANCE_ID, "request": event["request"]}
