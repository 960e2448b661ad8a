from lab import object_store, work

AUDIT = object_store()
BUFFER = []


def flush():
    while BUFFER:
        user, action = BUFFER.pop(0)
        AUDIT.put(f"audit/{user}", action)


def handler(event, context):
    BUFFER.append((event["user"], "login"))
    work(300)
    flush()  # before returning: nothing is left for a frozen environment to finish
    return {"user": event["user"]}
