from lab import singleton_get, work

SQL = "select * from orders where user_id = %s"


def handler(event, context):
    # No factory, and nothing has created "db" yet.
    db = singleton_get("db")
    work(50)
    rows = db.query(SQL, event["userId"])
    return {"userId": event["userId"], "orders": len(rows)}
