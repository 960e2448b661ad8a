"""A test that expects an exception the function under test never raises."""


def create_order(body):
    """Validate an order; a bad quantity gets a 400 response, not an exception."""
    quantity = body.get("quantity")
    if not isinstance(quantity, int) or quantity < 1:
        return {"statusCode": 400, "error": "quantity must be positive"}
    return {"statusCode": 201, "quantity": quantity}


def test_creates_an_order():
    assert create_order({"quantity": 2}) == {"statusCode": 201, "quantity": 2}


def test_rejects_a_negative_quantity():
    try:
        create_order({"quantity": -1})
    except ValueError:
        return
    raise AssertionError("expected ValueError, but nothing was raised")


def handler(event, context):
    """The lab's way in: call one test (or function) of this module by name."""
    name = event["call"]
    return {name: globals()[name](*event.get("args", []))}
