"""The test checks what the function does on bad input: it answers 400."""


def create_order(body):
    """Validate an order; a bad quantity gets a 400 response, not an exception."""
    quantity = body.get("quantity")
    if not isinstance(quantity, int) or quantity < 1:
        return {"statusCode": 400, "error": "quantity must be positive"}
    return {"statusCode": 201, "quantity": quantity}


def test_creates_an_order():
    assert create_order({"quantity": 2}) == {"statusCode": 201, "quantity": 2}


def test_rejects_a_negative_quantity():
    assert create_order({"quantity": -1})["statusCode"] == 400


def test_rejects_a_quantity_that_is_not_a_number():
    assert create_order({"quantity": "2"})["statusCode"] == 400


def handler(event, context):
    """The lab's way in: call one test (or function) of this module by name."""
    name = event["call"]
    return {name: globals()[name](*event.get("args", []))}
