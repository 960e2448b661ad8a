from lab import connect_db, work

SQL = "select * from orders where user_id = %s"

# A module-level registry: one per container, and no lock, since a
# container handles one event at a time.
_instances = {}
_totals = {"created": 0, "hits": 0, "deleted": 0}


def get(name, factory):
    """The object under `name`; `factory()` builds it on first use."""
    if name in _instances:
        _totals["hits"] += 1
        return _instances[name]
    # If the factory raises, nothing is stored: the next call retries.
    instance = factory()
    _instances[name] = instance
    _totals["created"] += 1
    return instance


def has(name):
    return name in _instances


def delete(name):
    """Drop `name` (the next get() rebuilds it); True if it was there."""
    if name not in _instances:
        return False
    del _instances[name]
    _totals["deleted"] += 1
    return True


def clear():
    """Drop everything (what a test fixture calls); return how many."""
    count = len(_instances)
    _instances.clear()
    _totals["deleted"] += count
    return count


def stats():
    names = sorted(_instances)
    return {"names": names, "count": len(names), **_totals}


def handler(event, context):
    db = get("db", connect_db)  # the factory is required: no None
    work(50)
    rows = db.query(SQL, event["userId"])
    return {"userId": event["userId"], "orders": len(rows)}
