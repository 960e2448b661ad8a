"""Scenarios for AP-01: bursts of concurrent requests against a connection limit.

On on-demand Lambda each concurrent request gets a container of its own, so a burst
of N requests starts N containers, and each opens its own connections. The lab's
database server allows `lab.db.max_connections` (20) at once. Each scenario returns
a Verdict: one sentence with the run's numbers, and the names of what went wrong.
`wrong-answer`, `skipped-work` and `error:<Type>` are shared by every scenario (see
`sima_lab.answers`); the others are named in the docstrings.
"""

from sima_lab import Invocation, Lab, Verdict
from sima_lab.answers import (
    answer,
    errors_in,
    failed_with,
    judge,
    same,
    skipped,
    unexpected_errors,
    wrong_answers,
)

ORDERS = [("order-1",), ("order-2",), ("order-3",)]


_refused = failed_with("TooManyConnections")


def _bursts(lab: Lab, size: int) -> Verdict:
    lab.db.results["select * from orders where user_id = %s"] = list(ORDERS)
    records: list[Invocation] = []
    for burst in range(2):  # the second burst finds the first one's containers warm
        records += lab.invoke_concurrently(
            [{"userId": f"u{burst * size + n}"} for n in range(size)]
        )
    refused = [r for r in records if _refused(r)]
    slowest = max((r.duration_ms for r in records if r.ok), default=0.0)
    return judge(
        f"2 bursts of {size} concurrent requests on {len(lab.all_containers)} containers: "
        f"{len(records) - len(refused)} answered, {len(refused)} refused a connection; the "
        f"server held at most {lab.db.peak_open} of its {lab.db.max_connections} "
        f"connections ({lab.db.connects} opened, {lab.db.refused} refused); the slowest "
        f"answer took {slowest:g} ms; {errors_in(records)}",
        unexpected_errors(records, expected=_refused),
        connections_refused=refused and f"{len(refused)} of {len(records)} requests failed",
        wrong_answer=wrong_answers(
            records,
            lambda r: same(answer(r.result, "orders"), len(ORDERS)),
            lambda r: f"{r.event['userId']}'s {len(ORDERS)} orders",
        ),
        skipped_work=skipped(records, "db.query", "queried the database"),
    )


def burst_of_fifteen(lab: Lab) -> Verdict:
    """Two bursts of 15 concurrent requests (15 containers), each querying once.

    Failures: `connections-refused` (a request failed because the server refused a
    connection).
    """
    return _bursts(lab, 15)


def burst_of_forty(lab: Lab) -> Verdict:
    """Two bursts of 40 concurrent requests (40 containers), each querying once.

    Failures: `connections-refused` (a request failed because the server refused a
    connection).
    """
    return _bursts(lab, 40)
