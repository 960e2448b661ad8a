import hashlib
import json

from lab import ConditionFailed, object_store, table

PAYMENTS = table()
RECEIPTS = object_store()


def idempotency_key(event):
    """The same for every delivery of one payment, whoever delivers it."""
    payment = {name: event[name] for name in ("orderId", "customer", "amount")}
    return hashlib.sha256(json.dumps(payment, sort_keys=True).encode()).hexdigest()[:16]


def handler(event, context):
    try:
        PAYMENTS.put(
            f"charge#{idempotency_key(event)}",
            {"order": event["orderId"], "customer": event["customer"], "amount": event["amount"]},
            if_absent=True,
        )
    except ConditionFailed:
        pass  # this payment was made already
    RECEIPTS.put(f"receipts/{event['orderId']}", f"{event['customer']} paid {event['amount']}")
    return {"orderId": event["orderId"], "charged": event["amount"]}
