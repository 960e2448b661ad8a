from lab import table, work

ITEMS = table()


def process(batch, i):
    work(135)  # the item's own work
    ITEMS.put(f"item#{batch}#{i}", {"batch": batch, "index": i})


def handler(event, context):
    for i in range(event["items"]):
        process(event["batch"], i)
    return {"done": event["items"], "complete": True}
