"""Checking a claim: run its scenario against a snippet's code in a fresh lab.

[`verify`][sima_lab.verify.verify] works on text, never on files, so the site's
browser runner calls exactly what the tests call, on the code the reader edited.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from types import CodeType

from sima_lab.errors import LabError, SnippetHalted
from sima_lab.lab import Lab
from sima_lab.limits import LabSettings
from sima_lab.records import (
    CLAIM_VALUES,
    UNPROVEN,
    Claim,
    FolderProblem,
    Invocation,
    Outcome,
    Verdict,
)
from sima_lab.trace import with_failures

#: A scenario: drives a lab holding the snippet's code, returns what it observed.
Scenario = Callable[[Lab], Verdict]


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
    outcome whose `problem` names the file and line.
    """

    def outcome(
        status: str,
        problem: FolderProblem | None,
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
            problem=problem,
            verdict=verdict,
            trace=trace or [],
            declared_failures=tuple(claim.fails),
            observed_failures=tuple(sorted(verdict.failures)) if verdict is not None else (),
        )

    if claim.claim == UNPROVEN:
        return outcome(
            "error",
            FolderProblem(
                claim.filename,
                claim.line_of("claim"),
                f"[{claim.name}] is unproven: no scenario checks it (claim it good or bad, "
                "with a scenario, to prove it)",
            ),
        )
    if claim.claim not in CLAIM_VALUES:
        return outcome(
            "error",
            FolderProblem(
                claim.filename,
                claim.line_of("claim"),
                f"claim must be 'good' or 'bad', not {claim.claim!r}",
            ),
        )
    scenario = scenarios.get(claim.scenario)
    if scenario is None:
        known = ", ".join(sorted(scenarios)) or "none"
        return outcome(
            "error",
            FolderProblem(
                claim.filename,
                claim.line_of("scenario"),
                f"unknown scenario {claim.scenario!r} (scenarios.py defines: {known})",
            ),
        )
    try:
        lab = Lab(source, filename=filename, modules=modules, settings=settings)
    except SyntaxError as exc:
        at = FolderProblem(exc.filename or filename, exc.lineno or 0, f"SyntaxError: {exc.msg}")
        return outcome("error", at)
    except LabError as exc:
        return outcome("error", FolderProblem(filename, 0, str(exc)))
    code = getattr(scenario, "__code__", None)
    scenario_file = code.co_filename if isinstance(code, CodeType) else "scenarios.py"
    scenario_line = code.co_firstlineno if isinstance(code, CodeType) else 0
    try:
        verdict = scenario(lab)
    except SnippetHalted as exc:
        return outcome("error", FolderProblem(exc.filename, exc.line, exc.reason), trace=lab.trace)
    except Exception as exc:
        line = scenario_line
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            if frame.f_code.co_filename == scenario_file:
                line = lineno
        return outcome(
            "error",
            FolderProblem(
                scenario_file,
                line,
                f"scenario {claim.scenario}() raised {type(exc).__name__}: {exc}",
            ),
            trace=lab.trace,
        )
    if not isinstance(verdict, Verdict) or not isinstance(verdict.observed, str):
        return outcome(
            "error",
            FolderProblem(
                scenario_file,
                scenario_line,
                f"scenario {claim.scenario}() returned {type(verdict).__name__}, not a "
                "Verdict(observed, failures): the check never ran",
            ),
            trace=lab.trace,
        )
    observed = "good" if verdict.good else "bad"
    found = tuple(sorted(verdict.failures))
    if observed == claim.claim and set(found) == set(claim.fails):
        return outcome("pass", None, observed=observed, verdict=verdict, trace=lab.trace)
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
            f"declared {with_failures(claim.claim, claim.fails)}, but the check observed "
            f"{with_failures(observed, found)}: {verdict.observed}"
        )
    return outcome(
        "fail",
        FolderProblem(filename, _blame_line(lab), message),
        observed=observed,
        verdict=verdict,
        trace=lab.trace,
    )


def _blame_line(lab: Lab) -> int:
    """The line a failed claim points at: the first error's, else `def handler`'s."""
    for record in lab.trace:
        if record.error and record.error.filename == lab.filename and record.error.line:
            return record.error.line
    for const in lab.code[lab.entry].co_consts:
        if isinstance(const, CodeType) and const.co_name == "handler":
            return const.co_firstlineno
    return 1
