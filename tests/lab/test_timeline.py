"""The timeline: what is drawn for a trace, element by element, and how big it gets."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from sima_lab import ErrorInfo, Invocation, Lab
from sima_lab.runner import run_snippet
from sima_lab.timeline import (
    MAX_LANES,
    MAX_SHOWN,
    MAX_TURNS,
    TITLE_WIDTH,
    Evidence,
    Link,
    carried_links,
    evidence,
    timeline_svg,
)
from sima_lab.trace import row_text

NS = "{http://www.w3.org/2000/svg}"


def inv(
    number: int,
    container: str = "c1",
    *,
    cold: bool = False,
    start: float = 0.0,
    ms: float = 10.0,
    init: float = 0.0,
    changes: tuple[str, ...] = (),
    error: ErrorInfo | None = None,
    notes: tuple[str, ...] = (),
    counts: Mapping[str, int] | None = None,
    init_counts: Mapping[str, int] | None = None,
) -> Invocation:
    """One invocation record, as the lab would write it."""
    return Invocation(
        number=number,
        container_id=container,
        cold=cold,
        event={"n": number},
        result=None if error else {"n": number},
        error=error,
        start_ms=start,
        init_ms=init,
        duration_ms=ms,
        counts=dict(counts or {}),
        state_changes=changes,
        memory_mb=40.0,
        tmp_mb=0.0,
        request_id=f"req-{number}",
        notes=notes,
        init_counts=dict(init_counts or {}),
    )


def sequence(*specs: dict[str, Any]) -> list[Invocation]:
    """Invocations one after the other on the clock, numbered from 1."""
    records, clock = [], 0.0
    for number, spec in enumerate(specs, start=1):
        record = inv(number, **{"start": clock, **spec})
        clock = record.start_ms + record.duration_ms
        records.append(record)
    return records


def svg(records: list[Invocation], failures: frozenset[str] | None = frozenset()) -> ET.Element:
    return ET.fromstring(timeline_svg(records, failures))


def boxes(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{NS}g") if "data-invocation" in g.attrib]


def drawn(root: ET.Element) -> list[tuple[str, str, str]]:
    """(invocation, container, classes) of every box, in document order."""
    return [
        (g.attrib["data-invocation"], g.attrib["data-container"], g.attrib["class"])
        for g in boxes(root)
    ]


def links(root: ET.Element) -> list[tuple[str, str, str]]:
    """(from, to, classes) of every carried-state link."""
    return [
        (p.attrib["data-carried-from"], p.attrib["data-carried-to"], p.attrib["class"])
        for p in root.iter(f"{NS}path")
        if "data-carried-from" in p.attrib
    ]


def title(element: ET.Element) -> str:
    found = element.find(f"{NS}title")
    assert found is not None and found.text is not None
    return found.text


# The session leak of LESS-22's mistake 1: two cold starts at once, then three warm
# invocations on c2, each adding to the module's dict.
SESSIONS = [
    inv(1, "c1", cold=True, ms=20, changes=("+s = {'alice'}",)),
    inv(2, "c2", cold=True, ms=20, changes=("+s = {'bob'}",)),
    inv(3, "c2", start=20, ms=20, changes=("s: {'bob'} -> set[2]",)),
    inv(4, "c2", start=40, ms=20, changes=("s: set[2] -> set[3]",)),
    inv(5, "c2", start=60, ms=20, changes=("s: set[3] -> set[4]",)),
]


def test_every_invocation_is_a_box_in_its_containers_lane() -> None:
    root = svg(SESSIONS, frozenset({"session-leak"}))
    assert drawn(root) == [
        ("1", "c1", "tl-i tl-c"),
        ("2", "c2", "tl-i tl-c"),
        ("3", "c2", "tl-i tl-w"),
        ("4", "c2", "tl-i tl-w"),
        ("5", "c2", "tl-i tl-w"),
    ]
    lanes = [t.text for t in root.iter(f"{NS}text") if t.attrib["class"] == "tl-c-label"]
    assert lanes == ["c1", "c2"]
    rows = {g.attrib["data-invocation"]: title(g) for g in boxes(root)}
    assert rows == {str(r.number): row_text(r, TITLE_WIDTH) for r in SESSIONS}


def test_carried_state_is_a_link_from_the_invocation_that_left_it() -> None:
    assert carried_links(SESSIONS) == [Link(2, 3, "c2"), Link(3, 4, "c2"), Link(4, 5, "c2")]
    root = svg(SESSIONS, frozenset({"session-leak"}))
    assert links(root) == [
        ("2", "3", "tl-l tl-obs"),
        ("3", "4", "tl-l tl-obs"),
        ("4", "5", "tl-l tl-obs"),
    ]
    arc = next(p for p in root.iter(f"{NS}path") if p.attrib.get("data-carried-to") == "3")
    assert title(arc) == "#3 started on the state #2 left on c2"


def test_a_passing_check_highlights_nothing() -> None:
    root = svg(SESSIONS, frozenset())
    assert [cls for _, _, cls in links(root)] == ["tl-l"] * 3
    assert not [g for g in root.iter() if "tl-obs" in g.attrib.get("class", "")]


def test_the_link_comes_from_the_last_change_and_skips_invocations_that_changed_nothing() -> None:
    """A value cached by #1 and read by #2, #3 and #4 (a stale configuration)."""
    records = sequence(
        {"cold": True, "changes": ("+config = {'t': 30}",)},
        {},
        {},
        {"changes": ("config: x -> y",)},
        {},
    )
    assert [(link.source, link.target) for link in carried_links(records)] == [
        (1, 2),
        (1, 3),
        (1, 4),
        (4, 5),
    ]


def test_state_without_changes_or_on_a_new_container_is_not_carried() -> None:
    records = [
        inv(1, "c1", cold=True),  # module code only: the container's own state
        inv(2, "c1", start=10),
        inv(3, "c2", cold=True, start=20, changes=("+x = 1",)),
        inv(4, "c3", cold=True, start=30),  # a new container starts afresh
    ]
    assert carried_links(records) == []
    assert links(svg(records)) == []


def test_the_text_alternative_says_what_the_picture_shows() -> None:
    root = svg(SESSIONS, frozenset({"session-leak"}))
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-label"] == (
        "Timeline of 5 invocations on 2 containers (2 cold, 3 warm). 3 invocations started "
        "on state an earlier one left (#2 to #3, #3 to #4, #4 to #5); the check observed "
        "session-leak."
    )
    good = [inv(1, cold=True), inv(2, start=10)]
    assert svg(good).attrib["aria-label"] == (
        "Timeline of 2 invocations on 1 container (1 cold, 1 warm). No invocation started on "
        "state another one left; the check passed."
    )


def test_cold_starts_draw_their_init_phase_hollow_and_warm_starts_are_rounded() -> None:
    root = svg([inv(1, cold=True, ms=100, init=80), inv(2, start=100)])
    cold, warm = boxes(root)
    init, handler = cold.findall(f"{NS}rect")
    assert init.attrib["class"] == "tl-init"
    assert float(init.attrib["x"]) + float(init.attrib["width"]) == float(handler.attrib["x"])
    assert "rx" not in init.attrib and "rx" not in handler.attrib
    assert float(init.attrib["width"]) > float(handler.attrib["width"])  # 80 ms of 100
    (rect,) = warm.findall(f"{NS}rect")
    assert rect.attrib["rx"] == "4"


def test_errors_timeouts_and_retired_containers_are_marked() -> None:
    crash = ErrorInfo("KeyError", "'user'", "handler", "snippets/T/x.py", 3)
    late = ErrorInfo("Timeout", "Task timed out after 3.00 seconds", "handler")
    records = sequence(
        {"cold": True},
        {"error": crash, "notes": ("c1 retired after KeyError",)},
        {"container": "c2", "cold": True, "error": late},
        {"container": "c2", "notes": ("c2 recycled after 2 invocations",)},
    )
    root = svg(records, frozenset({"error:KeyError"}))
    assert drawn(root) == [
        ("1", "c1", "tl-i tl-c"),
        ("2", "c1", "tl-i tl-w tl-err tl-obs"),
        ("3", "c2", "tl-i tl-c tl-to tl-obs"),
        ("4", "c2", "tl-i tl-w"),
    ]
    marks = {g.attrib["data-invocation"]: len(g.findall(f"{NS}path")) for g in boxes(root)}
    assert marks == {"1": 0, "2": 1, "3": 1, "4": 0}
    ends = [g for g in root.iter(f"{NS}g") if g.attrib["class"] == "tl-end"]
    assert [title(g) for g in ends] == [
        "c1 retired after KeyError",
        "c2 recycled after 2 invocations",
    ]
    assert [g.find(f"{NS}text").text for g in ends] == ["retired", "recycled"]  # type: ignore[union-attr]


def test_only_errors_are_highlighted_when_only_errors_were_observed() -> None:
    records = sequence(
        {"cold": True, "changes": ("+n = 1",)},
        {"error": ErrorInfo("NameError", "name 'x' is not defined", "handler")},
    )
    assert evidence(records, frozenset({"error:NameError"})) == Evidence(
        frozenset({2}), frozenset()
    )
    assert evidence(records, frozenset({"stale-state"})) == Evidence(
        frozenset({2}), frozenset({(1, 2)})
    )
    assert evidence(records, None) == Evidence()


def test_a_warm_start_that_connects_again_is_the_extra_connection() -> None:
    connect = {"db.connect": 1, "db.query": 1}
    records = sequence(
        {"cold": True, "counts": connect},
        {"counts": connect},
        {"counts": {"db.query": 1}},
        {"container": "c2", "cold": True, "counts": connect, "init_counts": {"db.connect": 1}},
    )
    root = svg(records, frozenset({"connection-per-invocation"}))
    assert [cls for _, _, cls in drawn(root)] == [
        "tl-i tl-c",
        "tl-i tl-w tl-obs",
        "tl-i tl-w",
        "tl-i tl-c",
    ]


def test_idle_time_is_a_break_on_the_axis() -> None:
    records = sequence({"cold": True}, {}, {"start": 60_020.0}, {})
    root = svg(records)
    gaps = [p for p in root.iter(f"{NS}path") if p.attrib["class"] == "tl-gap"]
    assert [title(p) for p in gaps] == ["60 s idle"]
    times = [t.text for t in root.iter(f"{NS}text") if t.attrib["class"] == "tl-t"]
    assert times == ["0 s", "60.02 s", "60.04 s"]


def test_invocations_that_take_no_time_are_drawn_side_by_side() -> None:
    records = sequence({"cold": True, "ms": 20}, {"ms": 0}, {"ms": 0}, {"ms": 0})
    root = svg(records)
    xs = [float(g.find(f"{NS}rect").attrib["x"]) for g in boxes(root)]  # type: ignore[union-attr]
    assert xs == sorted(xs) and len(set(xs)) == 4
    times = [t.text for t in root.iter(f"{NS}text") if t.attrib["class"] == "tl-t"]
    assert times == ["0 s", "20 ms"]  # the lab's clock, not the drawing's instants


def test_concurrent_invocations_start_at_the_same_x() -> None:
    records = [inv(1, "c1", cold=True), inv(2, "c2", cold=True), inv(3, "c3", cold=True)]
    xs = {g.find(f"{NS}rect").attrib["x"] for g in boxes(svg(records))}  # type: ignore[union-attr]
    assert xs == {"30"}


def test_one_tab_stop_per_picture() -> None:
    root = svg(SESSIONS)
    stops = [g.attrib["data-invocation"] for g in root.iter() if "tabindex" in g.attrib]
    assert stops == ["1"]
    assert root.find(f".//{NS}g[@data-invocation='1']").attrib["tabindex"] == "0"  # type: ignore[union-attr]


def test_a_thousand_invocations_fold_into_a_bounded_picture() -> None:
    """1,000 warm invocations, each leaving state for the next, with a burst of errors."""
    boom = ErrorInfo("OSError", "[ENOSPC] No space left on device", "handler")
    specs: list[dict[str, Any]] = [{"cold": True, "changes": ("+files = [1]",)}]
    for n in range(2, 1001):
        specs.append({"changes": (f"files: list[{n - 1}] -> list[{n}]",)} if n < 500 else {})
        if 500 <= n < 510:
            specs[-1]["error"] = boom
    records = sequence(*specs)
    text = timeline_svg(records, frozenset({"tmp-full"}))
    root = ET.fromstring(text)
    shown = [int(n) for n, _, _ in drawn(root)]
    turns = [500, 510]  # where errors start and stop
    assert shown == [*range(1, MAX_SHOWN // 2 + 1), *turns, *range(1001 - MAX_SHOWN // 2, 1001)]
    folds = [g for g in root.iter(f"{NS}g") if "data-invocations" in g.attrib]
    spans = [tuple(int(n) for n in g.attrib["data-invocations"].split("-")) for g in folds]
    assert spans == [(11, 499), (501, 509), (511, 990)]
    assert [g.attrib["class"] for g in folds] == ["tl-agg", "tl-agg tl-err", "tl-agg"]
    assert title(folds[1]) == (
        "9 invocations folded, #501 to #509 on c1: 0 cold, 9 failed, 9 started on state an "
        "earlier one left"
    )
    counted = len(shown) + sum(b - a + 1 for a, b in spans)
    assert counted == 1000
    assert sum(1 for _ in root.iter()) < 200
    assert len(text) < 20_000


def test_turning_points_are_capped() -> None:
    boom = ErrorInfo("ValueError", "odd", "handler")
    records = sequence({"cold": True}, *({"error": boom} if n % 2 else {} for n in range(2, 1001)))
    shown = drawn(svg(records))
    assert len(shown) == MAX_SHOWN + MAX_TURNS


def test_a_thousand_containers_share_a_bounded_number_of_lanes() -> None:
    records = [inv(n, f"c{n}", cold=True) for n in range(1, 1001)]
    root = svg(records)
    lanes = [t.text for t in root.iter(f"{NS}text") if t.attrib["class"] == "tl-c-label"]
    assert len(lanes) == MAX_LANES
    assert lanes[-1] == f"+{1000 - MAX_LANES + 1}"
    assert sum(1 for _ in root.iter()) < 200


def test_no_invocation_draws_a_note() -> None:
    root = svg([], None)
    assert root.attrib["aria-label"] == "Timeline: no invocation ran."
    assert [t.text for t in root.iter(f"{NS}text")] == ["No invocation ran."]


def test_text_from_the_snippet_is_escaped() -> None:
    records = [inv(1, cold=True, changes=('+x = "<script>&</script>"',))]
    text = timeline_svg(records)
    assert "<script>" not in text
    assert "&lt;script&gt;&amp;&lt;/script&gt;" in text
    ET.fromstring(text)  # well-formed


SESSIONS_SNIPPET = """
    _sessions = {}


    def handler(event, context):
        _sessions[event] = True
        return sorted(_sessions)
"""


def test_a_real_lab_trace_draws_its_leak() -> None:
    lab = Lab(textwrap.dedent(SESSIONS_SNIPPET), filename="snippets/T/demo.py")
    lab.invoke_concurrently(["alice", "bob"])
    for user in ("carol", "dave"):
        lab.invoke(user)
    root = svg(lab.trace, frozenset({"session-leak"}))
    assert drawn(root) == [
        ("1", "c1", "tl-i tl-c"),
        ("2", "c2", "tl-i tl-c"),
        ("3", "c2", "tl-i tl-w"),  # the most recently used idle container
        ("4", "c2", "tl-i tl-w"),
    ]
    assert links(root) == [("2", "3", "tl-l tl-obs"), ("3", "4", "tl-l tl-obs")]


PAYLOAD = {
    "ref_id": "T",
    "claims": '[demo]\nclaim = "good"\nsays = "It answers."\nscenario = "answers"\n',
    "scenarios": (
        "from sima_lab import Verdict\n\n"
        "def answers(lab):\n"
        "    records = [lab.invoke(n) for n in range(3)]\n"
        "    leaked = any(r.result != [r.event] for r in records)\n"
        "    return Verdict('it answered', {'leak'} if leaked else set())\n"
    ),
    "files": {"demo": "def handler(event, context):\n    return [event]\n"},
}


def test_the_runner_returns_the_picture_of_the_run() -> None:
    result = run_snippet(PAYLOAD, "demo")
    assert result["status"] == "pass"
    assert links(ET.fromstring(result["timeline"])) == []
    leaky = "seen = []\n\ndef handler(event, context):\n    seen.append(event)\n    return seen\n"
    result = run_snippet(PAYLOAD, "demo", leaky)
    assert result["observed_failures"] == ["leak"]
    assert links(ET.fromstring(result["timeline"])) == [
        ("1", "2", "tl-l tl-obs"),
        ("2", "3", "tl-l tl-obs"),
    ]
