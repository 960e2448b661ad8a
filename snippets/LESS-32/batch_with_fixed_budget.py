from lab import now, table, work

ITEMS = table()
BUDGET_S = 2.5  # "the function has 3 seconds"
ITEM_S = 0.15


def process(batch, i):
    work(135)
    ITEMS.put(f"item#{batch}#{i}", {"batch": batch, "index": i})


def handler(event, context):
    started = now()
    batch, total = event["batch"], event["items"]
    i = (ITEMS.get(f"checkpoint#{batch}") or {"next": 0})["next"]
    while i < total and now() - started + ITEM_S <= BUDGET_S:
        process(batch, i)
        i += 1
    ITEMS.put(f"checkpoint#{batch}", {"next": i})
    return {"done": i, "complete": i == total}
