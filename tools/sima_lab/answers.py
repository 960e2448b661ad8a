"""Helpers for scenarios that check a handler's answers without ever crashing on them.

A reader can edit a snippet into anything: a handler that returns None, a string, an
object whose `__repr__` or `__eq__` raises, `True` where a number belongs. A scenario
must then say the answer is wrong, not fail itself. These functions read answers
defensively and phrase what went wrong, so every `scenarios.py` says it the same way:

```python
from sima_lab.answers import also, answer, same, wrong_answers

def user_isolation(lab: Lab) -> Verdict:
    records = [lab.invoke({"userId": u}) for u in ("ann", "bob")]
    wrong = wrong_answers(
        records,
        check=lambda r: same(answer(r.result, "user"), r.event["userId"]),
        wanted=lambda r: f"{r.event['userId']}'s answer",
    )
    return Verdict(not wrong, also("2 requests on 1 container", wrong))
```
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sima_lab.lab import Invocation


def answer(result: Any, key: str) -> Any:
    """`result[key]` when the handler returned a mapping holding `key`, else None."""
    if not isinstance(result, Mapping):
        return None
    try:
        return result.get(key)
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
