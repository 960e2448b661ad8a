"""Running one snippet from plain data: what the browser's worker and the parity test call.

A snippet folder travels as a *payload*, a JSON object the site serves beside each
entry (`assets/sima/lab/<REF-ID>.json`): the folder's texts, written by
[`Folder.to_payload`][sima_lab.folder.Folder.to_payload] in the build and read back
by [`Folder.from_payload`][sima_lab.folder.Folder.from_payload] here (see
[`sima_lab.folder`][sima_lab.folder] for its shape).

[`run_snippet`][sima_lab.runner.run_snippet] checks one snippet's claim against its
own code or a reader's edited version, in a fresh lab, and returns a JSON-ready dict.
Nothing here touches files, so it runs the same in CPython and in Pyodide.

It never raises for what the reader's code does: the lab's containers record what
snippet code raises inside an invocation (`SystemExit` and `KeyboardInterrupt`
included), and anything that still escapes (snippet code a scenario calls outside an
invocation, such as a returned object's `__eq__`) becomes an `error` result. What
the code printed is capped twice: per invocation by the lab
(`LabSettings.output_lines` and `output_chars`), and in all by `OUTPUT_LINES` and
`OUTPUT_CAP` here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sima_lab.claims import CLAIMS_FILE, SCENARIOS_FILE
from sima_lab.container import cut_note, error_message
from sima_lab.errors import Interrupted
from sima_lab.folder import Folder
from sima_lab.limits import LabSettings
from sima_lab.timeline import timeline_svg
from sima_lab.trace import format_outcome

#: Cap on each text field returned (characters); the rest is cut with a note.
OUTPUT_CAP = 100_000
#: Cap on each text field returned (lines).
OUTPUT_LINES = 5_000


def _cap(text: str, limit: int, max_lines: int = OUTPUT_LINES) -> str:
    end = min(len(text), limit)
    at = -1
    for _ in range(max_lines):
        at = text.find("\n", at + 1, end)
        if at < 0:
            break
    else:
        end = at + 1
    if end >= len(text):
        return text
    cut = text[:end]
    cut = cut[: cut.rfind("\n") + 1] or cut
    rest = text[len(cut) :]
    lines = rest.count("\n") + (not rest.endswith("\n"))
    return f"{cut}{cut_note(len(rest), lines)}"


def run_snippet(
    payload: Mapping[str, Any],
    name: str,
    source: str | None = None,
    *,
    step_budget: int | None = LabSettings.step_budget,
    cap: int = OUTPUT_CAP,
) -> dict[str, Any]:
    """Check snippet `name` of `payload` against `source` (default: its own code).

    Args:
        payload: The snippet folder as plain data (see the module docs).
        name: The snippet's stem, e.g. `mistake1_user_sessions`.
        source: The code to check, e.g. what a reader edited; None for the file's.
        step_budget: The lab's line budget (None: no count, for a caller that has
            its own time limit).
        cap: Most characters of `report` and `output` to return.

    Returns:
        `name`, `declared`, `fails` (what a bad claim declares goes wrong), `says`,
        `observed` (`good`/`bad`/None), `observed_failures` (what the check saw go
        wrong), `status`
        (`pass`/`fail`/`error`), `message` (`path:line: ...` when not `pass`),
        `report` (trace table and verdict), `output` (what the snippet printed,
        per invocation) and `timeline` (the trace as an SVG timeline, see
        [`sima_lab.timeline`][sima_lab.timeline]; '' when the check could not start).
    """
    result: dict[str, Any] = {
        "name": name,
        "declared": None,
        "fails": [],
        "observed_failures": [],
        "says": "",
        "observed": None,
        "status": "error",
        "message": "",
        "report": "",
        "output": "",
        "timeline": "",
    }
    folder = Folder.from_payload(payload)
    base = folder.path
    claim = folder.claims.get(name)
    if claim is None:
        found = "; ".join(str(p) for p in folder.problems_in(CLAIMS_FILE))
        result["message"] = f"{base}/{CLAIMS_FILE}: no claim for {name!r}" + (
            f" ({found})" if found else ""
        )
        return result
    result["declared"], result["says"] = claim.claim, claim.says
    result["fails"] = list(claim.fails)
    failed = folder.problems_in(SCENARIOS_FILE)
    if failed:
        result["message"] = "; ".join(str(p) for p in failed)
        return result
    if source is None and f"{name}.py" not in folder.texts:
        result["message"] = f"{base}/{name}.py: no such snippet"
        return result
    try:
        outcome = folder.verify(name, source, settings=LabSettings(step_budget=step_budget))
    except Interrupted:
        raise
    except BaseException as exc:  # snippet code run outside an invocation
        detail = error_message(exc)
        result["message"] = (
            f"{base}/{name}.py: {type(exc).__name__}{': ' + detail if detail else ''} "
            f"escaped the check of claim {name!r} (raised outside an invocation)"
        )
        return result
    output = "".join(
        "".join(f"[{record.number}] {line}\n" for line in record.output.splitlines())
        for record in outcome.trace
    )
    result.update(
        observed=outcome.observed,
        observed_failures=list(outcome.observed_failures),
        status=outcome.status,
        message=outcome.message,
        report=_cap(format_outcome(outcome), cap),
        output=_cap(output, cap),
        timeline=timeline_svg(
            outcome.trace, outcome.observed_failures if outcome.verdict is not None else None
        ),
    )
    return result


def run_snippet_json(
    payload_json: str, name: str, source: str | None = None, **options: Any
) -> str:
    """[`run_snippet`][sima_lab.runner.run_snippet] with JSON in and out (for JavaScript)."""
    return json.dumps(run_snippet(json.loads(payload_json), name, source, **options))
