"""The tests also take the failure path; the bug they find there is fixed."""

from lab import ParameterNotFound, get_parameter


def price_after_discount(price_cents, read=get_parameter):
    """The price with the shop's discount; the full price when none is set."""
    try:
        rate = float(read("/shop/discount"))
    except ParameterNotFound:
        rate = 0.0  # no discount set: full price
    return round(price_cents * (1 - rate))


def test_applies_the_discount():
    assert price_after_discount(1000, read=lambda name: "0.1") == 900


def test_a_zero_discount_keeps_the_price():
    assert price_after_discount(1000, read=lambda name: "0") == 1000


def test_full_price_when_no_discount_is_set():
    def missing(name):  # the parameter store, replaced: no such parameter
        raise ParameterNotFound(name)

    assert price_after_discount(1000, read=missing) == 1000


def handler(event, context):
    """The lab's way in: call one test (or function) of this module by name."""
    name = event["call"]
    return {name: globals()[name](*event.get("args", []))}
