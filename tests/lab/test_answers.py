"""The scenario helpers of `sima_lab.answers`: they read any answer without raising."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sima_lab import ErrorInfo, Invocation
from sima_lab.answers import (
    answer,
    error_of,
    errors_in,
    failed_with,
    judge,
    keys_of,
    same,
    skipped,
    unexpected_errors,
    wrong_answers,
)


def record(
    number: int = 1,
    *,
    event: Any = None,
    result: Any = None,
    error: ErrorInfo | None = None,
    counts: Mapping[str, int] | None = None,
) -> Invocation:
    return Invocation(
        number=number,
        container_id="c1",
        cold=number == 1,
        event=event,
        result=result,
        error=error,
        start_ms=0.0,
        init_ms=0.0,
        duration_ms=1.0,
        counts=dict(counts or {}),
        state_changes=(),
        memory_mb=40.0,
        tmp_mb=0.0,
        request_id=f"r{number}",
    )


class Broken(Mapping[str, Any]):
    """A mapping whose every read raises, as a reader's handler may return."""

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("no")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("no")

    def __len__(self) -> int:
        raise RuntimeError("no")


def test_keys_of_reads_a_mapping_and_nothing_else() -> None:
    assert keys_of({"a": 1, "b": 2}) == frozenset({"a", "b"})
    assert keys_of([("a", 1)]) is None
    assert keys_of(None) is None
    assert keys_of(Broken()) is None


def test_answer_and_same_never_raise() -> None:
    assert answer({"user": "ann"}, "user") == "ann"
    assert answer(Broken(), "user") is None
    assert answer("user", "user") is None
    assert same(1, 1) and not same(True, 1) and same(True, True) and not same("1", 1)


def test_failed_with_picks_out_the_errors_provoked() -> None:
    oom = record(1, error=ErrorInfo("OutOfMemory", "past 128 MB", "handler"))
    key = record(2, error=ErrorInfo("KeyError", "'x'", "handler", "s.py", 4))
    fine = record(3, result=1)
    out_of_memory = failed_with("OutOfMemory")
    assert [r.number for r in (oom, key, fine) if out_of_memory(r)] == [1]
    assert failed_with("OutOfMemory", "KeyError")(key)
    assert unexpected_errors([oom, key, fine], expected=out_of_memory) == {
        "error:KeyError": "1 of 3 invocations failed with KeyError, first at line 4"
    }


def test_skipped_counts_only_the_invocations_that_need_the_work() -> None:
    records = [
        record(1, event={"action": "orders"}, counts={"db.query": 1}),
        record(2, event={"action": "ping"}),
        record(3, event={"action": "orders"}),
    ]
    assert skipped(records, "db.query", "queried the database") == (
        "2 of 3 invocations never queried the database"
    )
    orders_only = skipped(
        records, "db.query", "queried the database", needs=lambda r: r.event["action"] == "orders"
    )
    assert orders_only == "1 of 3 invocations never queried the database"
    assert skipped(records[:2], "db.query", "queried", needs=lambda r: r.number == 1) == ""


def test_errors_are_phrased_with_their_line() -> None:
    failed = record(2, error=ErrorInfo("NameError", "name 'x' is not defined", "handler", "s", 9))
    assert error_of(failed) == "NameError at line 9"
    assert error_of(failed, message=True) == "NameError at line 9 (name 'x' is not defined)"
    assert error_of(record()) == "no error"
    assert errors_in([record(), failed]) == "1 of 2 failed, first: NameError at line 9"
    assert errors_in([record()]) == "no errors"


def test_wrong_answers_and_judge_name_what_went_wrong() -> None:
    records = [record(1, event="ann", result={"user": "ann"}), record(2, event="bob", result=None)]
    wrong = wrong_answers(
        records, lambda r: same(answer(r.result, "user"), r.event), lambda r: repr(r.event)
    )
    assert wrong == "invocation 2 returned None instead of 'bob'"
    verdict = judge("2 requests", {"error:KeyError": "1 failed"}, wrong_answer=wrong, leak=False)
    assert verdict.failures == {"error:KeyError", "wrong-answer"}
    assert verdict.observed == f"2 requests; 1 failed; {wrong}"
    assert judge("fine", leak="", wrong_answer=0).good
