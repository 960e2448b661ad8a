"""The step budget stops endless loops in module code and in handlers."""

from __future__ import annotations

import sys

import pytest

from sima_lab import Claim, Lab, LabSettings, SnippetHalted, Verdict, verify

LOOP_AT_IMPORT = "import json\nwhile True:\n    pass\ndef handler(event, context):\n    return 1\n"
LOOP_IN_HANDLER = "def handler(event, context):\n    n = 0\n    while True: n += 1\n"


def test_endless_loop_in_module_code_is_stopped_with_file_and_line() -> None:
    lab = Lab(LOOP_AT_IMPORT, filename="snippets/T/loop.py", settings=LabSettings(step_budget=1000))
    tracer = sys.gettrace()
    with pytest.raises(SnippetHalted) as info:
        lab.invoke()
    halted = info.value
    assert (halted.filename, halted.phase, halted.steps) == ("snippets/T/loop.py", "init", 1000)
    assert halted.line in (2, 3)
    assert str(halted) == (
        f"snippets/T/loop.py:{halted.line}: stopped after 1000 steps in module code "
        "(cold start): an endless loop?"
    )
    [record] = lab.trace
    assert record.error is not None
    assert (record.error.type, record.error.phase) == ("SnippetHalted", "init")
    assert lab.containers == []
    assert sys.gettrace() is tracer
    assert "lab" not in sys.modules


def test_endless_loop_in_a_handler_is_stopped_with_file_and_line() -> None:
    lab = Lab(LOOP_IN_HANDLER, filename="snippets/T/spin.py", settings=LabSettings(step_budget=500))
    with pytest.raises(SnippetHalted) as info:
        lab.invoke()
    assert (info.value.filename, info.value.line, info.value.phase) == (
        "snippets/T/spin.py",
        3,
        "handler",
    )
    assert "in the handler" in str(info.value)


def test_the_budget_is_per_phase_and_normal_code_stays_under_it() -> None:
    lab = Lab(
        "def handler(event, context):\n    return sum(i for i in range(100))\n",
        settings=LabSettings(step_budget=1000),
    )
    assert [lab.invoke().result for _ in range(50)] == [4950] * 50


def test_except_exception_cannot_swallow_the_stop() -> None:
    source = (
        "def handler(event, context):\n"
        "    try:\n"
        "        while True:\n"
        "            pass\n"
        "    except Exception:\n"
        "        return 'swallowed'\n"
    )
    lab = Lab(source, filename="snippets/T/t.py", settings=LabSettings(step_budget=200))
    with pytest.raises(SnippetHalted):
        lab.invoke()


def test_verify_reports_the_endless_loop_as_an_error() -> None:
    def scenario(lab: Lab) -> Verdict:
        lab.settings.step_budget = 300
        lab.invoke()
        return Verdict("never reached")

    claim = Claim(name="spin", claim="good", says="s", scenario="spin_check")
    outcome = verify(
        LOOP_IN_HANDLER, claim, {"spin_check": scenario}, filename="snippets/T/spin.py"
    )
    assert outcome.status == "error"
    assert outcome.observed is None
    assert outcome.message == (
        "snippets/T/spin.py:3: stopped after 300 steps in the handler: an endless loop?"
    )
    assert len(outcome.trace) == 1


def test_no_budget_counts_no_lines() -> None:
    """With `step_budget=None` (the browser's worker has a time limit instead), a long
    loop that the default budget stops runs to its end."""
    code = (
        "def handler(event, context):\n"
        "    n = 0\n"
        "    for _ in range(600_000):\n"
        "        n += 1\n"
        "    return n\n"
    )
    with pytest.raises(SnippetHalted):
        Lab(code, filename="long.py").invoke()
    record = Lab(code, filename="long.py", settings=LabSettings(step_budget=None)).invoke()
    assert record.result == 600_000
