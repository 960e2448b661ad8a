"""Checking a claim: run its scenario against a snippet's code in a fresh lab.

[`verify`][sima_lab.verify.verify] works on text, never on files, so the site's
browser runner calls exactly what the tests call, on the code the reader edited.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import CodeType
from typing import TYPE_CHECKING

from sima_lab.errors import LabError, SnippetHalted
from sima_lab.lab import Invocation, Lab, Verdict
from sima_lab.settings import LabSettings
from sima_lab.trace import format_trace

if TYPE_CHECKING:
    from sima_lab.claims import Claim

#: A scenario: drives a lab holding the snippet's code, returns what it observed.
Scenario = Callable[[Lab], Verdict]

CLAIM_VALUES = ("good", "bad")
"""The claims a scenario proves."""

UNPROVEN = "unproven"
"""A claim no scenario proves yet (an imported code block): shown, never checked."""


@dataclass(frozen=True)
class Outcome:
    """The result of checking one snippet's claim.

    Attributes:
        name: The claim's name (the snippet file's stem).
        filename: The snippet file, as messages show it.
        declared: What the claim says: `good` or `bad`.
        observed: What the check observed (`good` or `bad`), or None if it never ran.
        declared_failures: What the claim says fails (`fails`; empty for good).
        observed_failures: What the check observed failing, sorted (empty when it
            observed good or never ran).
        status: `pass` (observed == declared, and for a bad claim the failures
            observed are exactly those declared), `fail` (it ran and disagreed), or
            `error` (it could not run: syntax error, scenario crashed or returned no
            verdict, snippet stopped as an endless loop, unknown scenario).
        message: For `fail` and `error`, one line starting `path:line:` where a line
            is known; empty for `pass`.
        verdict: The scenario's verdict, when it returned one.
        trace: The invocations the scenario ran.
    """

    name: str
    filename: str
    declared: str
    observed: str | None
    status: str
    message: str
    verdict: Verdict | None
    trace: list[Invocation]
    declared_failures: tuple[str, ...] = ()
    observed_failures: tuple[str, ...] = ()

    @property
    def holds(self) -> bool:
        """True when the check observed what the claim declares, for its reason."""
        return (
            self.observed is not None
            and self.observed == self.declared
            and set(self.observed_failures) == set(self.declared_failures)
        )

    def format(self) -> str:
        """The trace table, then the verdict (and the message when it did not pass)."""
        parts = [format_trace(self.trace)]
        if self.verdict is not None and self.observed is not None:
            holds = "the claim holds" if self.holds else "the claim does NOT hold"
            parts.append(
                f"verdict: observed {_with(self.observed, self.observed_failures)}, declared "
                f"{_with(self.declared, self.declared_failures)}: {holds}.\n"
                f"  {self.verdict.observed}"
            )
        if self.status != "pass":
            parts.append(f"{self.status}: {self.message}")
        return "\n".join(parts)


def verify(
    source: str,
    claim: Claim,
    scenarios: Mapping[str, Scenario],
    *,
    filename: str,
    modules: Mapping[str, str] | None = None,
    settings: LabSettings | None = None,
) -> Outcome:
    """Run `claim.scenario` against `source` in a fresh lab and compare with the claim.

    Args:
        source: The snippet's code (the entry module).
        claim: Its claim (from `claims.toml`).
        scenarios: The scenario functions, by name (from `scenarios.py`).
        filename: The snippet's file name, as messages should show it.
        modules: Other modules the snippet imports, `{module_name: source}`.
        settings: Lab settings (default: `LabSettings()`).

    Never raises for a problem in the snippet or the scenario: that is an `error`
    outcome whose message names the file and line.
    """

    def outcome(
        status: str,
        message: str,
        *,
        observed: str | None = None,
        verdict: Verdict | None = None,
        trace: list[Invocation] | None = None,
    ) -> Outcome:
        return Outcome(
            name=claim.name,
            filename=filename,
            declared=claim.claim,
            observed=observed,
            status=status,
            message=message,
            verdict=verdict,
            trace=trace or [],
            declared_failures=tuple(claim.fails),
            observed_failures=tuple(sorted(verdict.failures)) if verdict is not None else (),
        )

    if claim.claim == UNPROVEN:
        return outcome(
            "error",
            f"{claim.filename}:{claim.line_of('claim')}: [{claim.name}] is unproven: no "
            "scenario checks it (claim it good or bad, with a scenario, to prove it)",
        )
    if claim.claim not in CLAIM_VALUES:
        return outcome(
            "error",
            f"{claim.filename}:{claim.line_of('claim')}: claim must be 'good' or 'bad', "
            f"not {claim.claim!r}",
        )
    scenario = scenarios.get(claim.scenario)
    if scenario is None:
        known = ", ".join(sorted(scenarios)) or "none"
        return outcome(
            "error",
            f"{claim.filename}:{claim.line_of('scenario')}: unknown scenario "
            f"{claim.scenario!r} (scenarios.py defines: {known})",
        )
    try:
        lab = Lab(source, filename=filename, modules=modules, settings=settings)
    except SyntaxError as exc:
        where = f"{exc.filename or filename}:{exc.lineno or 0}"
        return outcome("error", f"{where}: SyntaxError: {exc.msg}")
    except LabError as exc:
        return outcome("error", f"{filename}: {exc}")
    code = getattr(scenario, "__code__", None)
    scenario_file = code.co_filename if isinstance(code, CodeType) else "scenarios.py"
    scenario_line = code.co_firstlineno if isinstance(code, CodeType) else 0
    try:
        verdict = scenario(lab)
    except SnippetHalted as exc:
        return outcome("error", str(exc), trace=lab.trace)
    except Exception as exc:
        line = scenario_line
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            if frame.f_code.co_filename == scenario_file:
                line = lineno
        return outcome(
            "error",
            f"{scenario_file}:{line}: scenario {claim.scenario}() raised "
            f"{type(exc).__name__}: {exc}",
            trace=lab.trace,
        )
    if not isinstance(verdict, Verdict) or not isinstance(verdict.observed, str):
        return outcome(
            "error",
            f"{scenario_file}:{scenario_line}: scenario {claim.scenario}() returned "
            f"{type(verdict).__name__}, not a Verdict(observed, failures): "
            "the check never ran",
            trace=lab.trace,
        )
    observed = "good" if verdict.good else "bad"
    found = tuple(sorted(verdict.failures))
    if observed == claim.claim and set(found) == set(claim.fails):
        return outcome("pass", "", observed=observed, verdict=verdict, trace=lab.trace)
    if observed == claim.claim:
        missing = sorted(set(claim.fails) - set(found))
        extra = sorted(set(found) - set(claim.fails))
        differs = "; ".join(
            part
            for part in (
                f"not observed: {', '.join(missing)}" if missing else "",
                f"also observed: {', '.join(extra)}" if extra else "",
            )
            if part
        )
        message = (
            f"declared bad with {', '.join(claim.fails) or 'no failure named'}, but the check "
            f"observed {', '.join(found)} ({differs}): {verdict.observed}"
        )
    else:
        message = (
            f"declared {_with(claim.claim, claim.fails)}, but the check observed "
            f"{_with(observed, found)}: {verdict.observed}"
        )
    where = f"{filename}:{_blame_line(lab)}"
    return outcome(
        "fail", f"{where}: {message}", observed=observed, verdict=verdict, trace=lab.trace
    )


def _with(value: str, failures: tuple[str, ...]) -> str:
    """'bad (tmp-full, wrong-answer)', or the value alone when nothing is named."""
    return f"{value} ({', '.join(failures)})" if failures else value


def _blame_line(lab: Lab) -> int:
    """The line a failed claim points at: the first error's, else `def handler`'s."""
    for record in lab.trace:
        if record.error and record.error.filename == lab.filename and record.error.line:
            return record.error.line
    for const in lab.code[lab.entry].co_consts:
        if isinstance(const, CodeType) and const.co_name == "handler":
            return const.co_firstlineno
    return 1
