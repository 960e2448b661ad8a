"""Each test has its own name: both run, and the one once hidden finds the bug."""


def split_bill(total_cents, people):
    """Shares of a bill in cents, one per person, that add up to the total."""
    share, left = divmod(total_cents, people)
    return [share + 1] * left + [share] * (people - left)


def test_split_bill_keeps_every_cent():
    shares = split_bill(100, 3)
    assert sum(shares) == 100, shares


def test_split_bill_evenly():
    assert split_bill(100, 4) == [25, 25, 25, 25]


def handler(event, context):
    """The lab's way in: call one test (or function) of this module by name."""
    name = event["call"]
    return {name: globals()[name](*event.get("args", []))}
