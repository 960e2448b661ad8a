from lab import ConditionFailed, object_store, table

PAYMENTS = table()
RECEIPTS = object_store()


def handler(event, context):
    order = event["orderId"]
    try:
        # One charge per order: of all the runs for this order, only the first write lands.
        PAYMENTS.put(
            f"charge#{order}",
            {"order": order, "customer": event["customer"], "amount": event["amount"]},
            if_absent=True,
        )
    except ConditionFailed:
        pass  # a retry or a duplicate: this order was charged already
    RECEIPTS.put(f"receipts/{order}", f"{event['customer']} paid {event['amount']}")
    return {"orderId": order, "charged": event["amount"]}
