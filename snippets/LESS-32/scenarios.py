"""Scenarios for LESS-32: a batch longer than the function's timeout.

A batch of 40 items, each 150 ms of work and writes, needs 6 s; the function has
3 s (Lambda's default timeout), or 2 s after an operator lowered it. The scenario
delivers the batch event as an asynchronous invocation (Lambda retries a failed
attempt twice), and delivers it again while the handler answers that the batch is
not complete, up to 5 times, as a Step Functions loop or a re-queued message would.

Each scenario returns a Verdict: one sentence with the run's numbers, and the names
of what went wrong. `wrong-answer`, `skipped-work` and `error:<Type>` are shared by
every scenario (see `sima_lab.answers`); the others are named in the docstrings.
"""

from sima_lab import Invocation, Lab, Verdict
from sima_lab.answers import (
    answer,
    errors_in,
    judge,
    plain_int,
    same,
    unexpected_errors,
    wrong_answers,
)

BATCH = "b-7"
ITEMS = 40
DELIVERIES = 5


def _answered(record: Invocation) -> bool:
    """{"done": n, "complete": n == 40}, with 0 <= n <= 40."""
    done = plain_int(answer(record.result, "done"))
    complete = answer(record.result, "complete")
    return (
        done is not None
        and 0 <= done <= ITEMS
        and isinstance(complete, bool)
        and complete == (done == ITEMS)
    )


def _batch(lab: Lab, timeout: float) -> Verdict:
    lab.settings.timeout = timeout
    event = {"batch": BATCH, "items": ITEMS}
    keys = [f"item#{BATCH}#{i}" for i in range(ITEMS)]
    records: list[Invocation] = []
    deliveries = 0
    after_first = 0
    for _ in range(DELIVERIES):
        attempts = lab.deliver(event)
        records += attempts
        deliveries += 1
        if deliveries == 1:
            after_first = sum(1 for key in keys if lab.table.get(key) is not None)
        if same(answer(attempts[-1].result, "complete"), True):
            break
    written = [key for key in keys if lab.table.get(key) is not None]
    writes = sum(lab.table.writes(key) for key in keys)
    timed_out = [r for r in records if r.timed_out]
    first = records[0]
    lost = ITEMS - len(written)
    return judge(
        f"timeout {timeout:g} s: {deliveries} deliveries of the {ITEMS}-item batch took "
        f"{len(records)} invocations, {len(timed_out)} cut off by the timeout; the first "
        f"invocation took {first.duration_ms:g} ms and the first delivery wrote "
        f"{after_first} item(s); in the end {len(written)} of {ITEMS} items were written, "
        f"in {writes} writes; {errors_in(records)}",
        unexpected_errors(records, expected=lambda r: r.timed_out),
        timed_out=timed_out and f"{len(timed_out)} invocation(s) timed out",
        lost_writes=lost and f"{lost} of {ITEMS} items were never written",
        wrong_answer=wrong_answers(
            records,
            _answered,
            lambda r: "the items done so far and whether the batch is complete",
        ),
    )


def batch_before_the_deadline(lab: Lab) -> Verdict:
    """The batch under Lambda's default timeout of 3 s.

    Failures: `timed-out` (an invocation was killed by the timeout), `lost-writes`
    (some items were never written).
    """
    return _batch(lab, 3.0)


def batch_after_the_timeout_was_lowered(lab: Lab) -> Verdict:
    """The same batch after the function's timeout was lowered to 2 s.

    Failures: `timed-out` (an invocation was killed by the timeout), `lost-writes`
    (some items were never written).
    """
    return _batch(lab, 2.0)
