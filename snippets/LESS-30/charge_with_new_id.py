import uuid

from lab import object_store, table

PAYMENTS = table()
RECEIPTS = object_store()


def handler(event, context):
    charge_id = str(uuid.uuid4())  # a new id on every run, a retry's too
    PAYMENTS.put(
        f"charge#{charge_id}",
        {"order": event["orderId"], "customer": event["customer"], "amount": event["amount"]},
    )
    RECEIPTS.put(f"receipts/{event['orderId']}", f"{event['customer']} paid {event['amount']}")
    return {"orderId": event["orderId"], "charged": event["amount"]}
