from lab import work

SQL = "select * from orders where user_id = %s"

_instances = {}


def get(name, factory=None):
    # The factory is optional, and a missing name without one gives None.
    if name not in _instances and factory is not None:
        _instances[name] = factory()
    return _instances.get(name)


def handler(event, context):
    db = get("db")  # assumes an earlier call created it; none did
    work(50)
    # Fails here, away from the cause:
    rows = db.query(SQL, event["userId"])
    return {"userId": event["userId"], "orders": len(rows)}
