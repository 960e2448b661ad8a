from lab import connect_db

SQL = "select * from orders where user_id = %s"

# At import: every new container pays for it, whatever it serves.
DB = connect_db()


def handler(event, context):
    if event["action"] == "ping":
        return {"action": "ping", "ok": True}
    rows = DB.query(SQL, event["userId"])
    user = event["userId"]
    return {"action": "orders", "userId": user, "orders": len(rows)}
