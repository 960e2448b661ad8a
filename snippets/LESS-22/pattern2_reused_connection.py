from lab import connect_db, singleton_get_or_create


def get_db_client():
    # Created on first use, then reused by every invocation of this container.
    return singleton_get_or_create("db", connect_db)


def handler(event, context):
    db = get_db_client()
    rows = db.query("select * from orders where user_id = %s", event["userId"])
    return {"orders": len(rows)}
