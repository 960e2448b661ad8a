import json

from lab import connect_db, get_parameter

# Module level: runs once per container, during its cold start.
DB_CLIENT = connect_db()
CONFIG = json.loads(get_parameter("/app/config"))


def handler(event, context):
    # Handler: runs on every invocation, cold or warm.
    rows = DB_CLIENT.query("select * from users where id = %s", event["userId"])
    return {"user": event["userId"], "rows": len(rows), "timeout": CONFIG["timeout"]}
