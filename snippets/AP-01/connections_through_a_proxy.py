from lab import connect_db_proxy, singleton_get_or_create


def database():
    # The proxy shares a small pool of server connections among all containers.
    return singleton_get_or_create("db", connect_db_proxy)


def handler(event, context):
    rows = database().query("select * from orders where user_id = %s", event["userId"])
    return {"orders": len(rows)}
