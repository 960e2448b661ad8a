from lab import singleton_get_or_create, work

SQL = "select * from orders where user_id = %s"


def get_db():
    # The factory's name is looked up only when this line runs: at
    # the first request, not at import. Nothing defines it.
    return singleton_get_or_create("db", create_db_client)


def handler(event, context):
    db = get_db()
    work(50)
    rows = db.query(SQL, event["userId"])
    return {"userId": event["userId"], "orders": len(rows)}
