"""The trace: state changes, the plain-text table, and determinism."""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import MappingProxyType

from sima_lab import Lab, format_outcome, format_trace, load_folder
from sima_lab.state import describe, diff, display

ROOT = Path(__file__).resolve().parents[2]

STATE = """
    from types import MappingProxyType

    COUNT = 0
    SEEN = {}
    TAGS = set()
    FROZEN = MappingProxyType({"a": 1})


    class Box:
        def __init__(self):
            self.items = []


    BOX = Box()


    def handler(event, context):
        global COUNT
        COUNT += 1
        if event == "add":
            SEEN[f"user{COUNT}"] = COUNT
            globals()["EXTRA"] = "new"
        if event == "same-size":
            SEEN[next(iter(SEEN))] = -1
        if event == "drop":
            del globals()["EXTRA"]
        TAGS.add(event)
        BOX.items.append(event)
        return COUNT
"""


def make_lab() -> Lab:
    return Lab(textwrap.dedent(STATE), filename="snippets/T/state.py")


def test_state_changes_describe_what_the_handler_changed() -> None:
    lab = make_lab()
    first = lab.invoke("add")
    assert first.state_changes == (
        "COUNT: 0 -> 1",
        "SEEN: {} -> {'user1': 1}",
        "TAGS: set() -> {'add'}",
        "BOX: Box(items=[]) -> Box(items=['add'])",
        "+EXTRA = 'new'",
    )
    second = lab.invoke("same-size")
    assert second.state_changes == (
        "COUNT: 1 -> 2",
        "SEEN: {'user1': 1} -> {'user1': -1}",
        "TAGS: {'add'} -> {'add', 'same-size'}",
        "BOX: Box(items=['add']) -> Box(items=['add', 'same-size'])",
    )
    third = lab.invoke("drop")
    lab.invoke("a-longer-event-name")
    assert lab.trace[-1].state_changes[1:] == (
        "TAGS: {'add', 'drop', 'same-size'} -> set[4]",
        "BOX: Box(items=['add', 'same-size', 'drop']) -> Box(...)",
    )
    assert third.state_changes == (
        "COUNT: 2 -> 3",
        "TAGS: {'add', 'same-size'} -> {'add', 'drop', 'same-size'}",
        "BOX: Box(items=['add', 'same-size']) -> Box(items=['add', 'same-size', 'drop'])",
        "-EXTRA",
    )


def test_unchanged_long_values_show_contents_changed() -> None:
    before = {"x": display({f"key{n}": n for n in range(10)})}
    after = {"x": display({f"key{n}": n + 1 for n in range(10)})}
    assert diff(before, after) == ("x: dict[10] (contents changed)",)
    assert diff(before, before) == ()


def test_descriptions_have_no_addresses_and_sorted_sets() -> None:
    class Opaque:
        __slots__ = ()

    assert describe({"b", "a", "c"}) == "{'a', 'b', 'c'}"
    assert describe(frozenset({2, 1})) == "frozenset({1, 2})"
    assert describe(MappingProxyType({"a": 1})) == "mappingproxy({'a': 1})"
    assert describe((1,)) == "(1,)"
    assert describe(Opaque()) == "<Opaque>"
    assert describe(object()) == "<object>"
    assert describe(b"abc") == "bytes[3]"
    assert describe("x" * 100) == repr("x" * 57) + "..."
    assert "0x" not in describe(lambda: None)


def test_format_trace_table() -> None:
    lab = Lab(
        "from lab import work\nN = 0\ndef handler(event, context):\n"
        "    global N\n    N += 1\n    work(5)\n    return {'n': N}\n",
        filename="snippets/T/t.py",
    )
    lab.invoke()
    lab.invoke_concurrently([1, 2])
    assert format_trace(lab.trace) == textwrap.dedent(
        """\
        #  container  start s  kind   ms  mem MB  tmp MB  counts  result
        1  c1           0.000  cold  5.0    40.0     0.0  -       {'n': 1}
           state: N: 0 -> 1
        2  c1           0.005  warm  5.0    40.0     0.0  -       {'n': 2}
           state: N: 1 -> 2
        3  c2           0.005  cold  5.0    40.0     0.0  -       {'n': 1}
           state: N: 0 -> 1"""
    )
    assert format_trace([]) == "(no invocations)"


def test_format_trace_summarises_long_runs_and_shows_errors() -> None:
    lab = Lab(
        "def handler(event, context):\n    if not event:\n        raise ValueError('no event')\n",
        filename="snippets/T/t.py",
    )
    for n in range(40):
        lab.invoke(0 if n == 20 else 1)
    text = format_trace(lab.trace, max_rows=10)
    lines = text.splitlines()
    assert len(lines) == 1 + 10 + 2 + 2
    assert [line.strip() for line in lines[6:10]] == [
        "... 15 not shown (#6-#20, 0 failed) ...",
        "21  c1           0.000  warm  0.0    40.0     0.0  -       "
        "! ValueError: no event (line 3)",
        "22  c1           0.000  warm  0.0    40.0     0.0  -       None",
        "... 13 not shown (#23-#35, 0 failed) ...",
    ]
    lab.invoke(0)
    # Built-in error texts can change between Python versions; this one is ours.
    assert lab.format_trace().splitlines()[-1].endswith("! ValueError: no event (line 3)")


def test_two_runs_give_identical_trace_text() -> None:
    def run() -> str:
        folder = load_folder(ROOT / "snippets" / "LESS-22", root=ROOT)
        return "\n\n".join(format_outcome(outcome) for outcome in folder.verify_all())

    first, second = run(), run()
    assert first == second
    assert "0x" not in first
