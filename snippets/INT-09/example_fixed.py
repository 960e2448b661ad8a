from lab import connect_db, singleton_get_or_create, work

SQL = "select * from orders where user_id = %s"


def create_db_client():
    # The factory the example names, now defined. Whatever the client
    # needs to be built (configuration, timeouts) belongs here.
    return connect_db()


def get_db():
    return singleton_get_or_create("db", create_db_client)


def handler(event, context):
    db = get_db()
    work(50)
    rows = db.query(SQL, event["userId"])
    return {"userId": event["userId"], "orders": len(rows)}
