from lab import work

_user_sessions = {}  # module level: lives as long as the container


def handler(event, context):
    user_id = event["userId"]
    _user_sessions[user_id] = event  # meant for this request only
    work(20)
    # Anything that reads the dict now sees earlier callers too.
    return {"user": user_id, "sessions": sorted(_user_sessions)}
