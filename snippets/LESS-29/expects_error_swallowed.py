"""The same expectation written so it cannot fail: a missing check hides."""


def create_order(body):
    """Create an order (the quantity check was forgotten)."""
    quantity = body.get("quantity")
    return {"statusCode": 201, "quantity": quantity}


def test_creates_an_order():
    assert create_order({"quantity": 2}) == {"statusCode": 201, "quantity": 2}


def test_rejects_a_negative_quantity():
    try:
        create_order({"quantity": -1})
    except ValueError:
        pass  # passes whether or not anything was raised


def handler(event, context):
    """The lab's way in: call one test (or function) of this module by name."""
    name = event["call"]
    return {name: globals()[name](*event.get("args", []))}
