from lab import object_store, start_background, work

AUDIT = object_store()


def send_audit(user, action):
    AUDIT.put(f"audit/{user}", action)


def handler(event, context):
    task = start_background(send_audit, event["user"], "login", work_ms=400)
    work(300)  # building the response, while the audit is sent
    task.join()  # wait for it: the environment is frozen once the handler returns
    return {"user": event["user"]}
