from lab import object_store, start_background, work

AUDIT = object_store()
BUFFER = []


def flush_every_second():
    while BUFFER:
        user, action = BUFFER.pop(0)
        AUDIT.put(f"audit/{user}", action)
    start_background(flush_every_second, work_ms=1000)  # and again in a second


start_background(flush_every_second, work_ms=1000)


def handler(event, context):
    BUFFER.append((event["user"], "login"))
    work(300)
    return {"user": event["user"]}
