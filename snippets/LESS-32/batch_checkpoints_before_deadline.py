from lab import table, work

ITEMS = table()
ITEM_MS = 150  # one item: its work and its write
MARGIN_MS = 200  # the checkpoint's write, and room to spare


def process(batch, i):
    work(135)
    ITEMS.put(f"item#{batch}#{i}", {"batch": batch, "index": i})


def handler(event, context):
    batch, total = event["batch"], event["items"]
    start = (ITEMS.get(f"checkpoint#{batch}") or {"next": 0})["next"]
    i = start
    while i < total and context.get_remaining_time_in_millis() >= ITEM_MS + MARGIN_MS:
        process(batch, i)
        i += 1
    ITEMS.put(f"checkpoint#{batch}", {"next": i})  # the next delivery starts here
    return {"done": i, "complete": i == total}
