from lab import connect_db, singleton_get_or_create, work

SQL = "select * from orders where user_id = %s"


def get_db():
    # Built by connect_db() on the first call in this container,
    # and handed back on every call after it.
    return singleton_get_or_create("db", connect_db)


def handler(event, context):
    db = get_db()
    work(50)  # the request's own work
    rows = db.query(SQL, event["userId"])
    return {"userId": event["userId"], "orders": len(rows)}
