from lab import ConditionFailed, object_store, table

PAYMENTS = table()
RECEIPTS = object_store()


def handler(event, context):
    # Lambda's retries keep the request id; a second delivery of the event does not.
    key = f"charge#{context.aws_request_id}"
    try:
        PAYMENTS.put(
            key,
            {"order": event["orderId"], "customer": event["customer"], "amount": event["amount"]},
            if_absent=True,
        )
    except ConditionFailed:
        pass
    RECEIPTS.put(f"receipts/{event['orderId']}", f"{event['customer']} paid {event['amount']}")
    return {"orderId": event["orderId"], "charged": event["amount"]}
