"""Scenarios for LESS-31: containers restored from one SnapStart snapshot.

Each scenario turns SnapStart on (`lab.settings.snapstart`), so that the module code
runs once, in the snapshot, and every container is restored from it. Each returns a
Verdict: one sentence with the run's numbers, and the names of what went wrong.
`wrong-answer`, `skipped-work` and `error:<Type>` are shared by every scenario (see
`sima_lab.answers`); the others are named in each docstring.
"""

from sima_lab import Invocation, Lab, Verdict
from sima_lab.answers import answer, errors_in, judge, same, unexpected_errors, wrong_answers

CONTAINERS = 4
BURSTS = 3


def _bursts(lab: Lab) -> list[Invocation]:
    """SnapStart on; three bursts of 4 concurrent requests, r0 to r11: the first burst
    restores 4 containers from the snapshot, the others reuse them warm."""
    lab.settings.snapstart = True
    records: list[Invocation] = []
    for burst in range(BURSTS):
        events = [{"request": f"r{burst * CONTAINERS + n}"} for n in range(CONTAINERS)]
        records += lab.invoke_concurrently(events)
    return records


def _restored(records: list[Invocation]) -> str:
    restored = sum(1 for r in records if r.restored)
    return f"{restored} containers restored from one snapshot"


def _text(record: Invocation, key: str) -> str | None:
    value = answer(record.result, key)
    return value if isinstance(value, str) and value else None


def _echoes(record: Invocation, key: str) -> bool:
    return _text(record, key) is not None and same(
        answer(record.result, "request"), record.event["request"]
    )


def ids_after_restore(lab: Lab) -> Verdict:
    """Each container reports an instance id: its own, and the same on every request.

    Failures: `shared-id` (two restored containers reported the same id),
    `unstable-id` (a container reported more than one id).
    """
    records = _bursts(lab)
    ids: dict[str, set[str]] = {}
    for record in records:
        found = _text(record, "instance")
        if record.ok and found is not None:
            ids.setdefault(record.container_id, set()).add(found)
    unstable = sorted(c for c, seen in ids.items() if len(seen) > 1)
    distinct = {i for seen in ids.values() for i in seen}
    shared = len(ids) > 1 and len(distinct) < len(ids)
    return judge(
        f"{_restored(records)} served {len(records)} requests; the {len(ids)} containers "
        f"reported {len(distinct)} distinct instance id(s); {errors_in(records)}",
        unexpected_errors(records),
        shared_id=shared,
        unstable_id=unstable and f"{', '.join(unstable)} reported more than one id",
        wrong_answer=wrong_answers(
            records,
            lambda r: _echoes(r, "instance"),
            lambda r: f"an instance id and request {r.event['request']!r}",
        ),
    )


def tokens_after_restore(lab: Lab) -> Verdict:
    """Every request gets a random token; no two tokens may be the same.

    Failures: `duplicate-token` (a token was issued twice).
    """
    records = _bursts(lab)
    tokens = [t for r in records if r.ok and (t := _text(r, "token")) is not None]
    repeats = len(tokens) - len(set(tokens))
    first_burst = {_text(r, "token") for r in records[:CONTAINERS] if r.ok}
    return judge(
        f"{_restored(records)} issued {len(tokens)} tokens, {len(set(tokens))} distinct; "
        f"the first request on each of the {CONTAINERS} containers got "
        f"{len(first_burst)} distinct token(s); {errors_in(records)}",
        unexpected_errors(records),
        duplicate_token=repeats > 0 and f"{repeats} token(s) were issued more than once",
        wrong_answer=wrong_answers(
            records,
            lambda r: _echoes(r, "token"),
            lambda r: f"a token and request {r.event['request']!r}",
        ),
    )
