"""At-least-once delivery (retries, duplicates) and the per-invocation deadline."""

from __future__ import annotations

import textwrap

import pytest

from sima_lab import Lab, LabError, LabSettings


def make_lab(source: str, **settings: object) -> Lab:
    return Lab(
        textwrap.dedent(source),
        filename="snippets/T/delivery.py",
        settings=LabSettings(**settings),  # type: ignore[arg-type]
    )


FAILS_TWICE = """
    from lab import get_parameter

    def handler(event, context):
        return {"value": get_parameter("/p"), "request": context.aws_request_id}
"""


def test_a_failed_delivery_is_retried_with_the_same_request_id_after_the_delays() -> None:
    lab = make_lab(FAILS_TWICE)
    lab.params.put("/p", "v")
    lab.params.fail_next(2)
    records = lab.deliver({"n": 1})
    assert [(r.attempt, r.ok) for r in records] == [(1, False), (2, False), (3, True)]
    assert {r.request_id for r in records} == {"00000000-0000-4000-8000-000000000001"}
    assert records[2].result == {"value": "v", "request": "00000000-0000-4000-8000-000000000001"}
    assert [r.start_ms for r in records] == [0.0, 60_020.0, 180_040.0]
    assert records[1].notes == (
        "retry 1 of request 00000000-0000-4000-8000-000000000001 after 60 s (attempt 2)",
    )
    assert [r.container_id for r in records] == ["c1", "c1", "c1"]  # still warm


def test_delivery_stops_at_the_first_success_and_gives_up_after_the_retries() -> None:
    lab = make_lab(FAILS_TWICE)
    lab.params.put("/p", "v")
    assert [r.attempt for r in lab.deliver()] == [1]
    lab.params.fail_next(5)
    assert [(r.attempt, r.ok) for r in lab.deliver()] == [(1, False), (2, False), (3, False)]
    assert [r.attempt for r in lab.deliver(retries=0)] == [1]  # the 4th throttled read
    assert len(lab.trace) == 5


def test_duplicates_are_new_invocations_of_the_same_event() -> None:
    lab = make_lab(FAILS_TWICE)
    lab.params.put("/p", "v")
    records = lab.deliver({"order": "o-1"}, duplicates=2)
    assert [r.event for r in records] == [{"order": "o-1"}] * 3
    assert [r.attempt for r in records] == [1, 1, 1]
    assert len({r.request_id for r in records}) == 3
    assert records[1].notes == ("delivery 2 of the same event (a duplicate)",)
    with pytest.raises(LabError, match="retries and duplicates >= 0"):
        lab.deliver(duplicates=-1)


BATCH = """
    from lab import table, work

    T = table()

    def handler(event, context):
        seen = []
        for i in range(event["items"]):
            seen.append(context.get_remaining_time_in_millis())
            work(135)
            T.put(f"item#{i}", {"i": i})
        return seen
"""


def test_remaining_time_counts_down_on_the_virtual_clock() -> None:
    lab = make_lab(BATCH)
    record = lab.invoke({"items": 3})
    assert record.result == [3000, 2850, 2700]  # the module code's 150 ms are not counted
    assert record.timed_out is False


def test_the_timeout_cuts_off_the_work_in_flight_and_keeps_what_was_written() -> None:
    lab = make_lab(BATCH)
    record = lab.invoke({"items": 40})
    assert record.timed_out is True
    assert record.error is not None
    assert (record.error.type, record.error.line) == ("Timeout", 10)
    assert record.error.message == "Task timed out after 3.00 seconds"
    assert record.duration_ms == 150.0 + 3000.0
    assert lab.table.keys() == [f"item#{i}" for i in sorted(range(20), key=str)]
    assert record.counts["table.put"] == 20
    assert record.notes == ("c1 retired after Timeout",)
    assert lab.invoke({"items": 1}).container_id == "c2"


def test_a_handler_cannot_catch_the_timeout() -> None:
    lab = make_lab(
        """
        from lab import work

        def handler(event, context):
            try:
                work(5000)
            except BaseException:
                return "caught"
            return "finished"
        """
    )
    record = lab.invoke()
    assert (record.result, record.timed_out) == (None, True)


def test_a_timed_out_delivery_is_retried_on_a_new_container() -> None:
    lab = make_lab(BATCH, timeout=1.0)
    records = lab.deliver({"items": 10}, retries=1)
    assert [(r.container_id, r.cold, r.timed_out, r.attempt) for r in records] == [
        ("c1", True, True, 1),
        ("c2", True, True, 2),
    ]
    assert lab.table.writes("item#0") == 2
