from lab import now, table, work

ITEMS = table()
MARGIN_S = 0.2
ITEM_S = 0.15


def process(batch, i):
    work(135)
    ITEMS.put(f"item#{batch}#{i}", {"batch": batch, "index": i})


def handler(event, context):
    # The deadline this invocation really has, whatever the function's timeout is now.
    deadline = now() + context.get_remaining_time_in_millis() / 1000 - MARGIN_S
    batch, total = event["batch"], event["items"]
    i = (ITEMS.get(f"checkpoint#{batch}") or {"next": 0})["next"]
    while i < total and now() + ITEM_S <= deadline:
        process(batch, i)
        i += 1
    ITEMS.put(f"checkpoint#{batch}", {"next": i})
    return {"done": i, "complete": i == total}
