"""Scenarios for LESS-30: one event, delivered at least once.

Each scenario drives the lab and returns a Verdict: one sentence with the run's
numbers, and the names of what went wrong. `wrong-answer`, `skipped-work` and
`error:<Type>` are shared by every scenario (see `sima_lab.answers`); the others are
named in each docstring.
"""

from collections.abc import Mapping
from typing import Any

from sima_lab import Invocation, Lab, Verdict
from sima_lab.answers import answer, errors_in, judge, same, unexpected_errors, wrong_answers

ORDERS: tuple[dict[str, Any], ...] = (
    {"orderId": "o-1", "customer": "ann", "amount": 30},
    {"orderId": "o-2", "customer": "bob", "amount": 20},
    {"orderId": "o-3", "customer": "ann", "amount": 5},
)


def _charges(lab: Lab) -> dict[str, list[Mapping[str, object]]]:
    """The charges in the table (items under `charge#`), by the order they name."""
    found: dict[str, list[Mapping[str, object]]] = {order["orderId"]: [] for order in ORDERS}
    for key in lab.table.keys("charge#"):
        item = lab.table.get(key) or {}
        order = item.get("order")
        if isinstance(order, str) and order in found:
            found[order].append(item)
    return found


def _paid(event: Mapping[str, Any], charge: Mapping[str, object]) -> bool:
    return same(charge.get("customer"), event["customer"]) and same(
        charge.get("amount"), event["amount"]
    )


def payment_delivered_at_least_once(lab: Lab) -> Verdict:
    """Three payments, delivered as an asynchronous invocation and a queue deliver them.

    The first receipt write fails once, so Lambda retries o-1 (the same request id);
    o-2 is delivered twice (a duplicate, with a new request id); o-3 once. Each order
    must be charged exactly once, for its amount, and have its receipt; the one
    failure allowed is o-1's first attempt, with `ObjectStoreError`.

    Failures: `double-charge` (an order was charged more than once), `missed-charge`
    (an order was never charged, or charged the wrong customer or amount),
    `missing-receipt` (an order has no receipt).
    """
    lab.objects.fail_next(1)  # the first receipt write is throttled
    first = lab.deliver(ORDERS[0])
    records = first + lab.deliver(ORDERS[1], duplicates=1) + lab.deliver(ORDERS[2])
    charges = _charges(lab)
    counts = {order: len(items) for order, items in charges.items()}
    doubled = sorted(order for order, n in counts.items() if n > 1)
    missed = sorted(
        event["orderId"]
        for event in ORDERS
        if not any(_paid(event, charge) for charge in charges[event["orderId"]])
    )
    receipts = set(lab.objects.keys())
    no_receipt = sorted(e["orderId"] for e in ORDERS if f"receipts/{e['orderId']}" not in receipts)
    billed: dict[str, int] = {}
    for items in charges.values():
        for charge in items:
            amount = charge.get("amount")
            if isinstance(amount, int) and not isinstance(amount, bool):
                customer = str(charge.get("customer"))
                billed[customer] = billed.get(customer, 0) + amount
    owed = {"ann": 35, "bob": 20}

    def throttled(record: Invocation) -> bool:
        return record is first[0] and record.error_type == "ObjectStoreError"

    def own_answer(record: Invocation) -> bool:
        return same(answer(record.result, "orderId"), str(record.event["orderId"])) and same(
            answer(record.result, "charged"), int(record.event["amount"])
        )

    retried = len(first)
    same_id = len({r.request_id for r in first}) == 1
    charged = ", ".join(f"{order} x{n}" for order, n in counts.items())
    return judge(
        f"o-1's receipt write failed once and it ran {retried} time(s)"
        f"{' with one request id' if same_id else ''}, o-2 was delivered twice, o-3 once: "
        f"{len(records)} invocations; charges per order: {charged}; customers billed "
        f"{', '.join(f'{c} {billed.get(c, 0)} (owes {n})' for c, n in owed.items())}; "
        f"{errors_in(records)}",
        unexpected_errors(records, expected=throttled),
        double_charge=doubled and f"{', '.join(doubled)} charged more than once",
        missed_charge=missed and f"{', '.join(missed)} never charged its customer and amount",
        missing_receipt=no_receipt and f"no receipt for {', '.join(no_receipt)}",
        wrong_answer=wrong_answers(
            records,
            own_answer,
            lambda r: f"{r.event['orderId']} charged {r.event['amount']}",
        ),
    )
