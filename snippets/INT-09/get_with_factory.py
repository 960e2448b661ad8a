from lab import connect_db, singleton_get, work

SQL = "select * from orders where user_id = %s"


def handler(event, context):
    # With a factory: created here if nothing has created it yet.
    db = singleton_get("db", connect_db)
    work(50)
    rows = db.query(SQL, event["userId"])
    return {"userId": event["userId"], "orders": len(rows)}
