"""The trace as a picture: one lane per container on the virtual clock, as SVG text.

[`timeline_svg`][sima_lab.timeline.timeline_svg] is a pure function of the
invocation records (and, optionally, what the check observed going wrong); it
returns one `<svg>` element as text, with no script, no ids and no style sheet of its
own: CSS classes (`tl-...`, styled by the site's `sima.css` from Material's colour
variables) colour it in both palettes. The build draws every snippet's trace with it,
and the browser's runner draws the trace of each Run with the same code in Pyodide.

What it draws:

- a lane per container (`c1`, `c2`...), in the order they started; concurrent
  invocations sit one above the other at the same moment;
- each invocation as a box from its start to its end on the lab's clock
  (`data-invocation`, `data-container`, and its row of the trace as its `<title>`):
  a warm start is a rounded, filled box; a cold start a square-cornered box whose
  init phase (the module code) is drawn hollow, so shape tells them apart as well
  as colour; an error adds a cross, a timeout a clock face;
- state carried over: an arc from invocation *a* to invocation *b*
  (`data-carried-from`, `data-carried-to`) when *b* was a warm start and *a* is the
  last invocation on that container before it that changed module state (its
  `state_changes`): the state *b* started with is what *a* left (see
  [`carried_links`][sima_lab.timeline.carried_links]);
- a container's end: a bar after its last invocation when it was retired (an error
  killed it, idle timeout) or recycled, with the platform's note as its title;
- idle time longer than a few pixels' worth folded into a break on the time axis,
  with the time after it.

What the check observed is highlighted (`tl-obs`): see
[`evidence`][sima_lab.timeline.evidence].

Size: a trace of more than [`MAX_SHOWN`][sima_lab.timeline.MAX_SHOWN] invocations
is windowed like the trace table: its first and last invocations are drawn one by
one, and so is each where fortunes turn (an error starts or stops, the platform
retires a container, a cold start), up to [`MAX_TURNS`][sima_lab.timeline.MAX_TURNS]
of them; every run between is folded into one box per container (`data-invocations`)
that counts what it holds. At most [`MAX_LANES`][sima_lab.timeline.MAX_LANES] lanes
are drawn (the containers beyond share the last one). So the picture of 1,000
invocations is about as big as that of 30, and as cheap to draw.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sima_lab.records import Invocation
from sima_lab.trace import row_text

WIDTH = 640
"""Width of the picture (SVG user units; the page scales it)."""

MAX_SHOWN = 20
"""Most invocations drawn one by one: a longer trace shows its first and last ten,
and its turning points, and folds the rest."""

MAX_TURNS = 8
"""Most turning points of a long trace drawn one by one besides its first and last."""

TITLE_WIDTH = 44
"""Characters of an invocation's result, and of its state changes, in its tooltip."""

MAX_LANES = 12
"""Most lanes drawn; the containers beyond the last but one share the last."""

SETUP = ("db.connect", "objects.client", "heavy.import", "singleton.create")
"""What a handler does once per container when it sets itself up right: doing it
again on a warm start is repeated setup (the extra connection)."""

TIMEOUTS = frozenset({"Timeout", "InitTimeout"})
"""Error types that are a time limit, drawn as a clock rather than a cross."""

_LEFT = 30  # lane labels
_RIGHT = 8
_TOP = 4
_LANE = 30  # lane pitch: arcs above, then the box
_ARC = 10  # room for arcs above a box
_BOX = 14
_AXIS = 16
_BASE = 16  # pixels every busy stretch of the clock gets before its share of time
_GAP = 22  # widest idle stretch, in pixels (longer ones become a break)
_FOLD = 44  # width of each folded run of a long trace
_NOTE = re.compile(r"^(c\d+) (retired|recycled)\b")


@dataclass(frozen=True)
class Link:
    """State one invocation left and a later one started with.

    Attributes:
        source: The number of the invocation that changed module state.
        target: The number of the later, warm invocation on the same container.
        container: The container both ran on.
    """

    source: int
    target: int
    container: str


@dataclass(frozen=True)
class Evidence:
    """What the timeline highlights as what the check observed.

    Attributes:
        invocations: Numbers of the invocations highlighted.
        links: (source, target) of the carried-state links highlighted.
    """

    invocations: frozenset[int] = frozenset()
    links: frozenset[tuple[int, int]] = frozenset()


def carried_links(records: Sequence[Invocation]) -> list[Link]:
    """Every warm invocation that started on module state an earlier one changed.

    For each warm invocation *b*, the link comes from the last invocation *a* on the
    same container, before *b*, whose handler changed module state (non-empty
    `state_changes`). The lab cannot see what *b* read, only what it started with:
    a link says "this state was there", and the check says whether it mattered.
    State set up by module code (the cold start's init) is the container's own and
    is not a link.
    """
    last: dict[str, int] = {}
    links: list[Link] = []
    for record in records:
        container = record.container_id
        if record.cold:
            last.pop(container, None)
        elif container in last:
            links.append(Link(last[container], record.number, container))
        if record.state_changes:
            last[container] = record.number
    return links


def repeated_setup(record: Invocation) -> bool:
    """True when a warm invocation's handler did per-container setup again."""
    return not record.cold and any(record.handler_counts(key) for key in SETUP)


def evidence(
    records: Sequence[Invocation],
    failures: Collection[str] | None,
    links: Sequence[Link] | None = None,
) -> Evidence:
    """What to highlight as what the check observed, from the trace alone.

    Nothing when the check passed (`failures` empty) or never ran (None). When it
    observed something go wrong:

    - every invocation that ended with an error;
    - when a failure is more than an error (`session-leak`, `tmp-full`, not
      `error:KeyError` alone), every carried-state link: the lab cannot tell which
      carried value the check objected to, only that state was carried and the
      check failed; the fix, where there is one, shows which of them it removes;
    - every warm invocation whose handler did per-container setup again
      ([`SETUP`][sima_lab.timeline.SETUP]: the extra connection or client).

    A check that looks at something else (the code's imports, a write tried after
    the run) has nothing in the trace to point at: then only the verdict says it.
    """
    if not failures:
        return Evidence()
    found = links if links is not None else carried_links(records)
    marked = {r.number for r in records if r.error is not None or repeated_setup(r)}
    beyond_errors = any(not name.startswith("error:") for name in failures)
    chosen = {(link.source, link.target) for link in found} if beyond_errors else set()
    return Evidence(frozenset(marked), frozenset(chosen))


def _n(value: float) -> str:
    """A coordinate, short: 12, 12.5."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _e(text: str) -> str:
    """Text for an element's content, or an attribute between double quotes."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _time(ms: float) -> str:
    if ms == 0:
        return "0 s"
    if ms < 1000:
        return f"{ms:.4g} ms"
    return f"{ms / 1000:.4g} s"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


class _Clock:
    """The lab's clock as x.

    Each busy stretch (between two moments where an invocation starts or ends) gets
    a few pixels of its own plus its share of the time, so that a 5 ms warm start
    stays visible beside a 900 ms cold one; idle stretches are drawn in proportion
    up to a cap (beyond it, as a break); each folded run gets a fixed width.
    """

    def __init__(
        self,
        spans: Sequence[tuple[float, float]],
        folds: Sequence[tuple[float, float]],
        width: float,
    ) -> None:
        points = {p for span in spans for p in span}
        points = {p for p in points if not any(a < p < b for a, b in folds)}
        points |= {p for fold in folds for p in fold}
        self.points = sorted(points) or [0.0]
        pairs = list(zip(self.points, self.points[1:], strict=False))
        kinds: list[str] = []
        for left, right in pairs:
            middle = (left + right) / 2
            if any(a <= left and right <= b for a, b in folds):
                kinds.append("fold")
            elif any(start <= middle <= end for start, end in spans):
                kinds.append("busy")
            else:
                kinds.append("idle")
        self.kinds = kinds
        self.lengths = [right - left for left, right in pairs]
        busy, folded = kinds.count("busy"), kinds.count("fold")
        self.base = min(_BASE, width / 2 / busy) if busy else 0.0
        self.fold = min(_FOLD, width / 4 / folded) if folded else 0.0
        self.gap = min(_GAP, width / 8 / max(kinds.count("idle"), 1))

        def total(scale: float) -> float:
            return sum(self._width(k, n, scale) for k, n in zip(kinds, self.lengths, strict=True))

        low, high = 0.0, 1.0
        while total(high) < width and high < 1e9:
            high *= 2
        for _ in range(40):
            middle = (low + high) / 2
            low, high = (middle, high) if total(middle) < width else (low, middle)
        self.scale = low
        self.widths = [self._width(k, n, low) for k, n in zip(kinds, self.lengths, strict=True)]
        self.offsets = [0.0]
        for w in self.widths:
            self.offsets.append(self.offsets[-1] + w)
        self.span = self.offsets[-1]

    def _width(self, kind: str, length: float, scale: float) -> float:
        if kind == "fold":
            return self.fold
        if kind == "busy":
            return self.base + length * scale
        return min(length * scale, self.gap)

    def x(self, t: float) -> float:
        """Pixels from the left of the plot at virtual time `t` (ms)."""
        points = self.points
        if t <= points[0] or len(points) == 1:
            return 0.0
        if t >= points[-1]:
            return self.span
        index = bisect.bisect_right(points, t) - 1
        length = self.lengths[index]
        part = (t - points[index]) / length if length else 0.0
        return self.offsets[index] + part * self.widths[index]

    def breaks(self) -> list[tuple[float, float, float]]:
        """Idle stretches drawn shorter than they are: (x where it ends, ms where it
        ends, its length in ms)."""
        return [
            (self.offsets[i + 1], self.points[i + 1], self.lengths[i])
            for i, kind in enumerate(self.kinds)
            if kind == "idle" and self.lengths[i] * self.scale > self.gap
        ]


@dataclass(frozen=True)
class _When:
    """Where an invocation is drawn on the clock: start, end of init, end (ms)."""

    start: float
    init_end: float
    end: float


#: Display time a zero-length invocation takes, so that two in a row are not drawn
#: on top of each other (far below the lab's microsecond).
_INSTANT = 1e-4


def _display_times(records: Sequence[Invocation]) -> dict[int, _When]:
    """Each invocation's stretch of the clock, with every earlier zero-length one
    that started no later given an instant of its own (the lab runs them in order)."""
    instants: list[float] = []
    when: dict[int, _When] = {}
    for record in records:
        shift = _INSTANT * bisect.bisect_right(instants, record.start_ms)
        start = record.start_ms + shift
        length = record.duration_ms or _INSTANT
        when[record.number] = _When(start, start + min(record.init_ms, length), start + length)
        if not record.duration_ms:
            bisect.insort(instants, record.start_ms)
    return when


def _turns(records: Sequence[Invocation]) -> list[int]:
    """Indexes where fortunes turn: an error starts or stops, a note, a cold start."""
    found = []
    for index, record in enumerate(records):
        previous = records[index - 1] if index else None
        turned = previous is not None and (record.error is None) != (previous.error is None)
        if turned or record.notes or (record.cold and index):
            found.append(index)
    return found


def _window(records: Sequence[Invocation]) -> tuple[list[Invocation], list[list[Invocation]]]:
    """The invocations drawn one by one, and the runs between them that are folded."""
    if len(records) <= MAX_SHOWN:
        return list(records), []
    head = MAX_SHOWN // 2
    tail = len(records) - (MAX_SHOWN - head)
    keep = set(range(head)) | set(range(tail, len(records)))
    keep |= set([i for i in _turns(records) if head <= i < tail][:MAX_TURNS])
    shown: list[Invocation] = []
    runs: list[list[Invocation]] = []
    for index, record in enumerate(records):
        if index in keep:
            shown.append(record)
        elif index - 1 in keep or not runs:
            runs.append([record])
        else:
            runs[-1].append(record)
    return shown, runs


def _fold_spans(
    runs: Sequence[Sequence[Invocation]], when: dict[int, _When]
) -> list[tuple[float, float]]:
    """Each folded run's stretch of the clock, merged where they overlap."""
    spans = sorted(
        (min(when[r.number].start for r in run), max(when[r.number].end for r in run))
        for run in runs
    )
    merged: list[tuple[float, float]] = []
    for start, stop in spans:
        end = max(stop, start + 1.0)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _lanes(records: Sequence[Invocation]) -> tuple[dict[str, int], list[str]]:
    """Each container's lane, and each lane's label."""
    order: list[str] = []
    for record in records:
        if record.container_id not in order:
            order.append(record.container_id)
    if len(order) <= MAX_LANES:
        return {c: i for i, c in enumerate(order)}, order
    kept = order[: MAX_LANES - 1]
    lanes = {c: i for i, c in enumerate(kept)}
    lanes.update(dict.fromkeys(order[MAX_LANES - 1 :], MAX_LANES - 1))
    return lanes, [*kept, f"+{len(order) - len(kept)}"]


def _retired(records: Sequence[Invocation]) -> dict[str, str]:
    """Container id to the note that ended it (retired or recycled)."""
    ended: dict[str, str] = {}
    for record in records:
        for note in record.notes:
            match = _NOTE.match(note)
            if match:
                ended.setdefault(match.group(1), note)
    return ended


def describe(
    records: Sequence[Invocation],
    links: Sequence[Link],
    failures: Collection[str] | None,
) -> str:
    """The picture in one or two sentences: its text alternative."""
    if not records:
        return "Timeline: no invocation ran."
    containers: list[str] = []
    for record in records:
        if record.container_id not in containers:
            containers.append(record.container_id)
    cold = sum(1 for r in records if r.cold)
    failed = sum(1 for r in records if r.error is not None)
    ended = len(_retired(records))
    first = (
        f"Timeline of {_plural(len(records), 'invocation')} on "
        f"{_plural(len(containers), 'container')} ({cold} cold, {len(records) - cold} warm"
        + (f", {failed} failed" if failed else "")
        + (f", {ended} container(s) retired or recycled" if ended else "")
        + ")."
    )
    if links:
        pairs = ", ".join(f"#{link.source} to #{link.target}" for link in links[:3])
        more = f" and {len(links) - 3} more" if len(links) > 3 else ""
        second = (
            f" {_plural(len(links), 'invocation')} started on state an earlier one left "
            f"({pairs}{more})"
        )
    else:
        second = " No invocation started on state another one left"
    if failures is None:
        second += "; the check did not run."
    elif failures:
        second += f"; the check observed {', '.join(sorted(failures))}."
    else:
        second += "; the check passed."
    return first + second


def _box(
    record: Invocation,
    when: dict[int, _When],
    clock: _Clock,
    top: float,
    observed: bool,
) -> list[str]:
    span = when[record.number]
    start = _LEFT + clock.x(span.start)
    end = _LEFT + clock.x(span.end)
    width = max(end - start, 3.0)
    kind = "tl-c" if record.cold else "tl-w"
    classes = ["tl-i", kind]
    if record.error is not None:
        classes.append("tl-to" if record.error.type in TIMEOUTS else "tl-err")
    if observed:
        classes.append("tl-obs")
    y = top + _ARC
    parts = [
        f'<g class="{" ".join(classes)}" data-invocation="{record.number}" '
        f'data-container="{_e(record.container_id)}">'
        f"<title>{_e(row_text(record, TITLE_WIDTH))}</title>"
    ]
    init = 0.0
    if record.cold:
        init = min(max(clock.x(span.init_end) + _LEFT - start, 4.0), width)
        parts.append(
            f'<rect class="tl-init" x="{_n(start)}" y="{_n(y)}" width="{_n(init)}" '
            f'height="{_BOX}"/>'
        )
        if width - init > 0.5:
            parts.append(
                f'<rect x="{_n(start + init)}" y="{_n(y)}" width="{_n(width - init)}" '
                f'height="{_BOX}"/>'
            )
    else:
        parts.append(
            f'<rect x="{_n(start)}" y="{_n(y)}" width="{_n(width)}" height="{_BOX}" rx="4"/>'
        )
    label = str(record.number)
    mark = record.error is not None
    if mark:
        cx, cy = start + width - 5, y + _BOX / 2
        if record.error is not None and record.error.type in TIMEOUTS:
            parts.append(
                f'<path class="tl-mark" d="M{_n(cx - 4)} {_n(cy)}a4 4 0 1 0 8 0a4 4 0 1 0-8 0'
                f'M{_n(cx)} {_n(cy)}v-3M{_n(cx)} {_n(cy)}h2"/>'
            )
        else:
            parts.append(f'<path class="tl-mark" d="M{_n(cx - 3.5)} {_n(cy - 3.5)}l7 7m0-7l-7 7"/>')
    # The number goes on the filled part when it fits, else on the hollow init part.
    need = 5 * len(label) + 2
    filled = start + (init if record.cold else 0.0)
    right = start + width - (10 if mark else 1)
    css = "tl-n tl-n2" if mark else "tl-n"  # on a failed box's paler fill: dark text
    if right - filled < need and record.cold and min(filled, right) - start >= need:
        filled, right, css = start, min(filled, right), "tl-n tl-n2"
    if right - filled >= need:
        parts.append(
            f'<text class="{css}" x="{_n((filled + right) / 2)}" y="{_n(y + _BOX - 4)}">'
            f"{label}</text>"
        )
    parts.append("</g>")
    return parts


def _arc(
    link: Link,
    centres: dict[int, float],
    top: float,
    observed: bool,
    title: str,
) -> str:
    x1, x2 = centres[link.source], centres[link.target]
    y = top + _ARC
    height = min(max(3 + (x2 - x1) / 12, 4), _ARC - 1)
    middle = (x1 + x2) / 2
    css = "tl-l tl-obs" if observed else "tl-l"
    return (
        f'<path class="{css}" data-carried-from="{link.source}" data-carried-to="{link.target}" '
        f'd="M{_n(x1)} {_n(y)}Q{_n(middle)} {_n(y - 2 * height)} {_n(x2)} {_n(y)}'
        f'm-3-4l3 4 3-4"><title>{_e(title)}</title></path>'
    )


def _carried_title(link: Link) -> str:
    return f"#{link.target} started on the state #{link.source} left on {link.container}"


def timeline_svg(
    records: Sequence[Invocation],
    failures: Collection[str] | None = None,
    *,
    width: int = WIDTH,
) -> str:
    """The trace as an SVG timeline (one `<svg>` element, as text).

    Args:
        records: The invocations, in the order the lab ran them.
        failures: What the check observed going wrong (empty: it passed; None: it
            did not run); what it observed is highlighted (see
            [`evidence`][sima_lab.timeline.evidence]).
        width: The picture's width in SVG units.

    Returns:
        An `<svg>` with `role="img"` and the text alternative as its `aria-label`
        ([`describe`][sima_lab.timeline.describe]). Every invocation drawn is a
        `<g data-invocation="N" data-container="cK">`; every carried-state link a
        `<path data-carried-from="A" data-carried-to="B">`; a folded run is one
        `<g data-invocations="A-B" data-container="cK">` per lane.
    """
    links = carried_links(records)
    alternative = describe(records, links, failures)
    if not records:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="sima-tl" role="img" '
            f'aria-label="{_e(alternative)}" viewBox="0 0 {width} 24" width="{width}" '
            f'height="24"><text class="tl-empty" x="{_LEFT}" y="16">No invocation ran.</text>'
            "</svg>"
        )
    shown, runs = _window(records)
    lanes, labels = _lanes(records)
    found = evidence(records, failures, links)
    when = _display_times(records)
    spans = [(when[r.number].start, when[r.number].end) for r in shown]
    spans += [(when[r.number].start, when[r.number].init_end) for r in shown if r.init_ms]
    clock = _Clock(spans, _fold_spans(runs, when), width - _LEFT - _RIGHT)
    width = max(width, round(clock.span) + _LEFT + _RIGHT)
    height = _TOP + len(labels) * _LANE + _AXIS
    axis = _TOP + len(labels) * _LANE + 2
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sima-tl" role="img" '
        f'aria-label="{_e(alternative)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}">'
    ]
    for index, label in enumerate(labels):
        y = _TOP + index * _LANE + _ARC + _BOX / 2
        out.append(
            f'<path class="tl-lane" d="M{_LEFT} {_n(y)}H{width - _RIGHT}"/>'
            f'<text class="tl-c-label" x="2" y="{_n(y + 3.5)}">{_e(label)}</text>'
        )
    carried = {link.target for link in links}
    pending = list(runs)
    centres: dict[int, float] = {}
    for record in shown:
        while pending and pending[0][0].number < record.number:
            out.extend(_folded(pending.pop(0), when, lanes, clock, carried))
        top = _TOP + lanes[record.container_id] * _LANE
        out.extend(_box(record, when, clock, top, record.number in found.invocations))
        start = clock.x(when[record.number].start)
        end = clock.x(when[record.number].end)
        centres[record.number] = _LEFT + (start + max(end, start + 3)) / 2
    for run in pending:
        out.extend(_folded(run, when, lanes, clock, carried))
    for link in links:
        if link.source in centres and link.target in centres:
            top = _TOP + lanes[link.container] * _LANE
            observed = (link.source, link.target) in found.links
            out.append(_arc(link, centres, top, observed, _carried_title(link)))
    out.extend(_ends(records, when, lanes, clock))
    # One tab stop per picture, the first invocation (the page's script moves it).
    first = next(i for i, part in enumerate(out) if part.startswith('<g class="tl-'))
    out[first] = out[first].replace(">", ' tabindex="0">', 1)
    out.extend(_axis(clock, records, when, width=width, axis=axis))
    out.append("</svg>")
    return "".join(out)


def _folded(
    run: Sequence[Invocation],
    when: dict[int, _When],
    lanes: dict[str, int],
    clock: _Clock,
    carried: set[int],
) -> list[str]:
    """One box per lane for a folded run of invocations, counting what it holds."""
    x1 = _LEFT + clock.x(min(when[r.number].start for r in run))
    x2 = max(_LEFT + clock.x(max(when[r.number].end for r in run)), x1 + 3)
    by_lane: dict[int, list[Invocation]] = {}
    for record in run:
        by_lane.setdefault(lanes[record.container_id], []).append(record)
    parts = []
    for lane, held in sorted(by_lane.items()):
        top = _TOP + lane * _LANE + _ARC
        cold = sum(1 for r in held if r.cold)
        failed = sum(1 for r in held if r.error is not None)
        kept = sum(1 for r in held if r.number in carried)
        containers = sorted({r.container_id for r in held})
        where = containers[0] if len(containers) == 1 else f"{len(containers)} containers"
        title = (
            f"{_plural(len(held), 'invocation')} folded, #{held[0].number} to "
            f"#{held[-1].number} on {where}: {cold} cold, {failed} failed, {kept} started "
            "on state an earlier one left"
        )
        css = "tl-agg tl-err" if failed else "tl-agg"
        parts.append(
            f'<g class="{css}" data-invocations="{held[0].number}-{held[-1].number}" '
            f'data-container="{_e(containers[0])}"><title>{_e(title)}</title>'
            f'<rect x="{_n(x1)}" y="{_n(top)}" width="{_n(x2 - x1)}" height="{_BOX}"/>'
            f'<text class="tl-n" x="{_n((x1 + x2) / 2)}" y="{_n(top + _BOX - 4)}">'
            f"{len(held)}</text></g>"
        )
    return parts


def _ends(
    records: Sequence[Invocation], when: dict[int, _When], lanes: dict[str, int], clock: _Clock
) -> list[str]:
    """A bar after the last invocation of each container the platform retired."""
    ended = _retired(records)
    last_end: dict[str, float] = {}
    for record in records:
        last_end[record.container_id] = when[record.number].end
    parts = []
    for container, note in ended.items():
        if container not in last_end or container not in lanes:
            continue
        x = _LEFT + clock.x(last_end[container]) + 3
        top = _TOP + lanes[container] * _LANE + _ARC - 2
        word = "recycled" if " recycled " in note else "retired"
        parts.append(
            f'<g class="tl-end"><title>{_e(note)}</title>'
            f'<path d="M{_n(x)} {_n(top)}v{_BOX + 4}"/>'
            f'<text class="tl-t" x="{_n(x + 3)}" y="{_n(top + _BOX)}">{word}</text></g>'
        )
    return parts


def _axis(
    clock: _Clock,
    records: Sequence[Invocation],
    when: dict[int, _When],
    *,
    width: int,
    axis: float,
) -> list[str]:
    """The time axis: a line, breaks for long idle times, and a few times (the last
    one the real end, without the instants zero-length invocations are drawn with)."""
    parts = [f'<path class="tl-axis" d="M{_LEFT} {_n(axis)}H{width - _RIGHT}"/>']
    ticks: list[tuple[float, float]] = [(0.0, clock.points[0])]
    for x, at, length in clock.breaks():
        parts.append(
            f'<path class="tl-gap" d="M{_n(_LEFT + x - clock.gap / 2)} {_n(axis - 4)}'
            'l-3 8m7-8l-3 8">'
            f"<title>{_e(_time(length))} idle</title></path>"
        )
        ticks.append((x, at))
    end = max(span.end for span in when.values())
    ticks.append((clock.x(end), max(r.start_ms + r.duration_ms for r in records)))
    last, said = -100.0, ""
    for x, at in ticks:
        text = _time(at)
        if x - last < 48 or text == said:
            continue
        anchor = ' text-anchor="end"' if x > clock.span - 20 else ""
        parts.append(
            f'<text class="tl-t" x="{_n(_LEFT + x)}" y="{_n(axis + 11)}"{anchor}>{text}</text>'
        )
        last, said = x, text
    return parts
