from lab import connect_db, work

SQL = "select * from orders where user_id = %s"


def handler(event, context):
    # A new client on every request: 200 ms each time.
    with connect_db() as db:
        work(50)  # the request's own work
        rows = db.query(SQL, event["userId"])
    return {"userId": event["userId"], "orders": len(rows)}
