"""Helpers for scenarios: reading answers without crashing on them, naming failures.

A reader can edit a snippet into anything: a handler that returns None, a string, an
object whose `__repr__` or `__eq__` raises, `True` where a number belongs. A scenario
must then say the answer is wrong, not fail itself. These functions read answers
defensively and phrase what went wrong, so every `scenarios.py` says it the same way.

A scenario returns its verdict through [`judge`][sima_lab.answers.judge], naming each
failure it found, so that a bad claim can declare which one it expects:

```python
from sima_lab.answers import answer, judge, same, text_of, unexpected_errors, wrong_answers

def user_isolation(lab: Lab) -> Verdict:
    records = [lab.invoke({"userId": u}) for u in ("ann", "bob")]
    wrong = wrong_answers(
        records,
        check=lambda r: same(answer(r.result, "user"), r.event["userId"]),
        wanted=lambda r: f"{r.event['userId']}'s answer",
    )
    leaked = "ann" in text_of(records[1].result)
    return judge(
        "2 requests on 1 container",
        unexpected_errors(records),
        leak=leaked and "bob's response held ann's session",
        wrong_answer=wrong,
    )
```

Besides these, [`keys_of`][sima_lab.answers.keys_of] reads a returned mapping's keys,
[`plain_int`][sima_lab.answers.plain_int] a number that is not a bool,
[`error_of`][sima_lab.answers.error_of] and [`errors_in`][sima_lab.answers.errors_in]
phrase errors, and [`failed_with`][sima_lab.answers.failed_with] picks out the
invocations that failed the way a scenario provokes.

The failures every scenario shares have one name each: `wrong-answer`
([`wrong_answers`][sima_lab.answers.wrong_answers]), `skipped-work`
([`skipped`][sima_lab.answers.skipped]) and `error:<Type>`
([`unexpected_errors`][sima_lab.answers.unexpected_errors]).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sima_lab.records import Invocation, Verdict


def answer(result: Any, key: str) -> Any:
    """`result[key]` when the handler returned a mapping holding `key`, else None."""
    if not isinstance(result, Mapping):
        return None
    try:
        return result.get(key)
    except Exception:
        return None


def keys_of(value: Any) -> frozenset[Any] | None:
    """The keys of a mapping a handler returned, or None when it is no mapping or
    reading its keys raises (a reader's mapping can break anywhere)."""
    if not isinstance(value, Mapping):
        return None
    try:
        return frozenset(value)
    except Exception:
        return None


def plain_int(value: Any) -> int | None:
    """`value` if it is a plain int (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def same(value: Any, expected: float | str | bool) -> bool:
    """`value == expected` for a plain value of the expected type (True is not 1)."""
    if isinstance(expected, bool):
        return value is expected
    return (
        isinstance(value, int | float | str) and not isinstance(value, bool) and value == expected
    )


def text_of(value: Any) -> str:
    """The repr of what a handler returned, even when its `__repr__` raises."""
    try:
        return repr(value)
    except Exception:
        return f"an unprintable {type(value).__name__}"


def shown(value: Any, limit: int = 60) -> str:
    """[`text_of`][sima_lab.answers.text_of], cut to `limit` characters."""
    text = text_of(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def holds(check: Callable[[Invocation], bool], record: Invocation) -> bool:
    """Whether `check` accepts the record's answer (an answer that breaks it does not)."""
    try:
        return bool(check(record))
    except Exception:
        return False


def wrong_answers(
    records: list[Invocation],
    check: Callable[[Invocation], bool],
    wanted: Callable[[Invocation], str],
) -> str:
    """'' when every invocation that did not fail answered right, else what went wrong.

    For example 'invocation 1 returned None instead of the user's 2 orders (15 of 15
    responses were wrong)'. Failed invocations are not counted here: the scenarios'
    own sentences report them.
    """
    wrong = [r for r in records if r.ok and not holds(check, r)]
    if not wrong:
        return ""
    first = wrong[0]
    more = f" ({len(wrong)} of {len(records)} responses were wrong)" if len(wrong) > 1 else ""
    return (
        f"invocation {first.number} returned {shown(first.result)} instead of {wanted(first)}{more}"
    )


def also(observed: str, *problems: str) -> str:
    """The sentence, with each problem found (if any) appended after a semicolon."""
    return "; ".join([observed, *(p for p in problems if p)])


def skipped(
    records: list[Invocation],
    count: str,
    doing: str,
    *,
    needs: Callable[[Invocation], bool] | None = None,
) -> str:
    """'' when every invocation that did not fail counted `count`, else how many did not.

    For example '3 of 15 invocations never queried the database' (for
    `skipped(records, "db.query", "queried the database")`).

    Args:
        records: The invocations to look at.
        count: What each must have done at least once (a key of `counts`).
        doing: What that is, as words after "never".
        needs: Which invocations need that work (say, only the order lookups of a
            scenario that also sends pings); None: every one.
    """
    idle = [
        r for r in records if r.ok and (needs is None or needs(r)) and r.counts.get(count, 0) < 1
    ]
    if not idle:
        return ""
    return f"{len(idle)} of {len(records)} invocations never {doing}"


def error_of(record: Invocation, *, message: bool = False) -> str:
    """'TypeError at line 14' for a failed invocation, 'no error' otherwise.

    With `message`, the error's message follows in brackets:
    "NameError at line 9 (name 'x' is not defined)".
    """
    if record.error is None:
        return "no error"
    where = f" at line {record.error.line}" if record.error.line else ""
    said = f" ({record.error.message})" if message and record.error.message else ""
    return f"{record.error.type}{where}{said}"


def errors_in(records: list[Invocation], *, message: bool = False) -> str:
    """'3 of 4 failed, first: TypeError at line 14', or 'no errors' (`message`: see
    [`error_of`][sima_lab.answers.error_of])."""
    failed = [r for r in records if r.error is not None]
    if not failed:
        return "no errors"
    first = error_of(failed[0], message=message)
    return f"{len(failed)} of {len(records)} failed, first: {first}"


def failed_with(*types: str) -> Callable[[Invocation], bool]:
    """A test of whether an invocation failed with one of these error types, e.g.
    `expected=failed_with("OutOfMemory")` for
    [`unexpected_errors`][sima_lab.answers.unexpected_errors], or to pick them out
    (`[r for r in records if failed_with("TooManyConnections")(r)]`)."""
    kinds = frozenset(types)

    def test(record: Invocation) -> bool:
        return record.error_type in kinds

    return test


def unexpected_errors(
    records: list[Invocation], expected: Callable[[Invocation], bool] | None = None
) -> dict[str, str]:
    """Each kind of error the scenario did not expect, as a failure `error:<Type>`.

    Args:
        records: The invocations to look at.
        expected: Which failed invocations are what the scenario observes (an
            `OutOfMemory` it provokes, say); those are left out. None: every error
            is unexpected.

    Returns:
        `{"error:KeyError": "2 of 5 invocations failed with KeyError, first at line
        14"}`: empty when no invocation failed unexpectedly.
    """
    found: dict[str, list[Invocation]] = {}
    for record in records:
        if record.error is not None and not (expected is not None and expected(record)):
            found.setdefault(record.error.type, []).append(record)
    failures: dict[str, str] = {}
    for kind, failed in found.items():
        first = failed[0].error
        assert first is not None
        where = f", first at line {first.line}" if first.line else ""
        failures[f"error:{kind}"] = (
            f"{len(failed)} of {len(records)} invocations failed with {kind}{where}"
        )
    return failures


def judge(observed: str, *found: Mapping[str, str], **named: object) -> Verdict:
    """The verdict: the sentence, and every failure found, each with its name.

    Args:
        observed: What the lab saw, in one sentence with the run's numbers.
        *found: Failures already named, such as
            [`unexpected_errors`][sima_lab.answers.unexpected_errors]' result; each
            one's text is appended to the sentence.
        **named: One keyword per failure the scenario checks for, its name with
            hyphens for underscores (`stale_config=` names `stale-config`): a
            non-empty string is that failure, its text appended to the sentence;
            any other true value (`True`, a non-empty list) is that failure, already
            told in `observed`; a false one (`''`, `False`, 0, None) is no failure.
    """
    failures: set[str] = set()
    texts: list[str] = []
    for mapping in found:
        for name, text in mapping.items():
            failures.add(name)
            texts.append(text)
    for key, value in named.items():
        if not value:
            continue
        failures.add(key.replace("_", "-"))
        if isinstance(value, str):
            texts.append(value)
    return Verdict(also(observed, *texts), frozenset(failures))
