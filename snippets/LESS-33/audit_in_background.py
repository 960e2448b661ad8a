from lab import object_store, start_background, work

AUDIT = object_store()


def send_audit(user, action):
    AUDIT.put(f"audit/{user}", action)


def handler(event, context):
    # A thread that nobody waits for: 400 ms of talking to the audit service.
    start_background(send_audit, event["user"], "login", work_ms=400)
    work(300)  # building the response
    return {"user": event["user"]}
