"""Two tests with one name: the second replaces the first, which never runs."""


def split_bill(total_cents, people):
    """Shares of a bill in cents, one per person, that add up to the total."""
    share = total_cents // people
    return [share] * people


def test_split_bill():
    shares = split_bill(100, 3)
    assert sum(shares) == 100, shares


def test_split_bill():  # copied from the test above, then edited
    assert split_bill(100, 4) == [25, 25, 25, 25]


def handler(event, context):
    """The lab's way in: call one test (or function) of this module by name."""
    name = event["call"]
    return {name: globals()[name](*event.get("args", []))}
