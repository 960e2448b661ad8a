from lab import connect_db


def handler(event, context):
    with connect_db() as db:  # a new connection on every invocation
        rows = db.query("select * from orders where user_id = %s", event["userId"])
    return {"orders": len(rows)}
