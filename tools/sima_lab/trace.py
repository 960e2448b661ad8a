"""The trace as text: a plain-text table of the invocations, and a check's report.

[`format_trace`][sima_lab.trace.format_trace] gives the table (the same on every run
and platform), [`row_text`][sima_lab.trace.row_text] one invocation's row as a line
(the timeline's tooltips), and [`format_outcome`][sima_lab.trace.format_outcome] a
checked claim's report: the table, then the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence

from sima_lab.records import Invocation, Outcome
from sima_lab.state import describe

_HEADERS = ("#", "container", "start s", "kind", "ms", "mem MB", "tmp MB", "counts", "result")
_RIGHT = frozenset({"#", "start s", "ms", "mem MB", "tmp MB"})
_CELL = 72
_STATE = 90


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _result(record: Invocation) -> str:
    if record.error is not None:
        return _clip(f"! {record.error}", _CELL)
    return _clip(describe(record.result), _CELL)


def _row(record: Invocation) -> list[str]:
    counts = " ".join(f"{key}={value}" for key, value in record.counts.items()) or "-"
    return [
        str(record.number),
        record.container_id,
        f"{record.start_ms / 1000:.3f}",
        "cold" if record.cold else "warm",
        f"{record.duration_ms:.1f}",
        f"{record.memory_mb:.1f}",
        f"{record.tmp_mb:.1f}",
        counts,
        _result(record),
    ]


def _extra(record: Invocation) -> list[str]:
    lines = []
    if record.state_changes:
        lines.append("state: " + _clip("; ".join(record.state_changes), _STATE))
    lines.extend(f"note: {note}" for note in record.notes)
    return lines


def row_text(record: Invocation, width: int = _CELL) -> str:
    """One invocation as one line: its row of the table, then its state changes and notes.

    What the timeline shows when a reader hovers or focuses an invocation, e.g.
    `#3 c2 warm, start 0.020 s, 20.0 ms, mem 40.0 MB, tmp 0.0 MB, counts -: {...};
    state: _user_sessions: ...`; the result and the state changes are each cut at
    `width` characters.
    """
    number, container, start, kind, ms, memory, tmp, counts, _ = _row(record)
    if record.cold:
        kind += f" (init {record.init_ms:.1f} ms)"
    result = f"! {record.error}" if record.error is not None else describe(record.result)
    parts = [
        f"#{number} {container} {kind}, start {start} s, {ms} ms, mem {memory} MB, "
        f"tmp {tmp} MB, counts {counts}: {_clip(result, width)}"
    ]
    if record.state_changes:
        parts.append("state: " + _clip("; ".join(record.state_changes), width))
    parts.extend(f"note: {note}" for note in record.notes)
    return "; ".join(parts)


def _selected(records: Sequence[Invocation], max_rows: int) -> list[int]:
    """Indexes to show: the first and last rows, and every change of fortune between."""
    if len(records) <= max_rows:
        return list(range(len(records)))
    head = max_rows // 2
    tail = max_rows - head
    keep = set(range(head)) | set(range(len(records) - tail, len(records)))
    extra = 0
    for index in range(head, len(records) - tail):
        record = records[index]
        previous = records[index - 1]
        turned = (record.error is None) != (previous.error is None)
        if (turned or record.notes) and extra < max_rows:
            keep.add(index)
            extra += 1
    return sorted(keep)


def format_trace(records: Sequence[Invocation], *, max_rows: int = 30) -> str:
    """The invocations as a table, one row each, with state changes and notes below.

    Columns: number, container, virtual start (s), cold or warm, virtual duration
    (ms), memory and `/tmp` in use afterwards (MB), what the fakes did, and the result
    (or `! Error: message (line N)`). Under a row, `state:` lists how the handler
    changed module state, and `note:` what the platform did (a container retired).
    With more than `max_rows` invocations only the first and last rows are shown, plus
    each row where invocations start or stop failing or the platform did something;
    each gap is summarised in one line.
    """
    if not records:
        return "(no invocations)"
    indexes = _selected(records, max_rows)
    shown: list[Invocation | str] = []
    for position, index in enumerate(indexes):
        if position and index != indexes[position - 1] + 1:
            hidden = records[indexes[position - 1] + 1 : index]
            failed = sum(1 for record in hidden if record.error is not None)
            span = (
                f"#{hidden[0].number}"
                if len(hidden) == 1
                else (f"#{hidden[0].number}-#{hidden[-1].number}")
            )
            shown.append(f"... {len(hidden)} not shown ({span}, {failed} failed) ...")
        shown.append(records[index])
    rows = [_row(item) for item in shown if isinstance(item, Invocation)]
    widths = [max(len(header), *(len(row[i]) for row in rows)) for i, header in enumerate(_HEADERS)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(width) if header in _RIGHT else cell.ljust(width)
            for cell, width, header in zip(cells, widths, _HEADERS, strict=True)
        ]
        return "  ".join(parts).rstrip()

    indent = " " * (widths[0] + 2)
    out = [line(_HEADERS)]
    for item in shown:
        if isinstance(item, str):
            out.append(indent + item)
            continue
        out.append(line(_row(item)))
        out.extend(indent + extra for extra in _extra(item))
    return "\n".join(out)


def with_failures(value: str, failures: Sequence[str]) -> str:
    """'bad (tmp-full, wrong-answer)', or the value alone when nothing is named."""
    return f"{value} ({', '.join(failures)})" if failures else value


def format_outcome(outcome: Outcome) -> str:
    """A checked claim's report: the trace table, then the verdict (and the message
    when it did not pass)."""
    parts = [format_trace(outcome.trace)]
    if outcome.verdict is not None and outcome.observed is not None:
        holds = "the claim holds" if outcome.holds else "the claim does NOT hold"
        parts.append(
            f"verdict: observed {with_failures(outcome.observed, outcome.observed_failures)}, "
            f"declared {with_failures(outcome.declared, outcome.declared_failures)}: {holds}.\n"
            f"  {outcome.verdict.observed}"
        )
    if outcome.status != "pass":
        parts.append(f"{outcome.status}: {outcome.message}")
    return "\n".join(parts)
