from lab import work


def handler(event, context):
    user_id = event["userId"]
    sessions = {user_id: event}  # request-scoped: gone when the handler returns
    work(20)
    return {"user": user_id, "sessions": sorted(sessions)}
