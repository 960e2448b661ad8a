from lab import connect_db, singleton_get_or_create

SQL = "select * from orders where user_id = %s"


def get_db():
    # Built by the first request that needs it; a container that
    # only answers pings never connects.
    return singleton_get_or_create("db", connect_db)


def handler(event, context):
    if event["action"] == "ping":
        return {"action": "ping", "ok": True}
    rows = get_db().query(SQL, event["userId"])
    user = event["userId"]
    return {"action": "orders", "userId": user, "orders": len(rows)}
