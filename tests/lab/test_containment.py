"""Whatever snippet code does, the lab (and the `sima` command) carries on.

`SystemExit`, `KeyboardInterrupt` and `os._exit()` end the simulated process, never
this one; what the code changes for the whole interpreter is put back after each
invocation; a flood of output is kept to a few lines and counted.
"""

from __future__ import annotations

import builtins
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from conftest import Project
from sima.cli import main as sima
from sima_lab import Lab, LabSettings
from sima_lab.container import CappedOutput
from sima_lab.errors import Interrupted
from sima_lab.runner import run_snippet

FILE = "snippets/T/demo.py"
print_ = print


def make_lab(source: str, **settings: object) -> Lab:
    return Lab(textwrap.dedent(source), filename=FILE, settings=LabSettings(**settings))  # type: ignore[arg-type]


def first_error(source: str) -> tuple[str, str, str, int | None, list[str]]:
    lab = make_lab(source)
    record = lab.invoke()
    assert record.error is not None
    error = record.error
    return error.type, error.message, error.phase, error.line, [c.id for c in lab.containers]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "import os\nos._exit(3)\n",
            ("ExitError", "the process exited (code 3) through os._exit()", "init", 2),
        ),
        (
            "import posix\ndef handler(event, context):\n    posix._exit(4)\n",
            ("ExitError", "the process exited (code 4) through os._exit()", "handler", 3),
        ),
        (
            "import os\ndef handler(event, context):\n    os.abort()\n",
            ("ExitError", "the process aborted (os.abort())", "handler", 3),
        ),
        ("import sys\nsys.exit(2)\n", ("ExitError", "the process exited (code 2)", "init", 2)),
        (
            "def handler(event, context):\n    raise KeyboardInterrupt('stop')\n",
            ("KeyboardInterrupt", "stop", "handler", 2),
        ),
        (
            "def handler(event, context):\n    raise GeneratorExit\n",
            ("GeneratorExit", "", "handler", 2),
        ),
    ],
)
def test_exits_and_interrupts_end_the_simulated_process_only(
    source: str, expected: tuple[str, str, str, int]
) -> None:
    exit_, abort = os._exit, os.abort
    *error, containers = first_error(source)
    assert tuple(error) == expected
    assert containers == []  # the platform replaces a container whose process ended
    assert (os._exit, os.abort) == (exit_, abort)


def test_an_exit_the_code_catches_is_still_the_end_of_the_process() -> None:
    """`except SystemExit` catches sys.exit(); os._exit() is not an exception to it."""
    source = """
        import os, sys
        def handler(event, context):
            try:
                sys.exit(1)
            except SystemExit:
                pass
            try:
                os._exit(7)
            except SystemExit:
                return "caught"
        """
    assert first_error(source)[:2] == (
        "ExitError",
        "the process exited (code 7) through os._exit()",
    )


def test_the_callers_interrupt_goes_through() -> None:
    lab = make_lab(
        "from sima_lab.errors import Interrupted\n"
        "def handler(event, context):\n    raise Interrupted('ctrl-c')\n"
    )
    with pytest.raises(Interrupted):
        lab.invoke()


def test_what_the_code_changes_for_the_interpreter_is_put_back() -> None:
    limit = sys.getrecursionlimit()
    path, hooks = list(sys.path), list(sys.path_hooks)
    stdin, excepthook = sys.stdin, sys.excepthook
    json_module = sys.modules["json"]
    source = """
        import builtins, sys

        def handler(event, context):
            if event == "second":
                return sys.getrecursionlimit()
            sys.setrecursionlimit(60)
            builtins.sima_leak = 1
            del builtins.sorted
            sys.modules["json"] = None
            sys.modules["sima_not_a_module"] = None
            sys.path.insert(0, "/nowhere")
            sys.path_hooks.clear()
            sys.stdin = None
            sys.excepthook = print
            limit = sys.getrecursionlimit()
            builtins.len = None
            return limit
        """
    lab = make_lab(source)
    first, second = lab.invoke("first"), lab.invoke("second")
    # Within the invocation the code saw its own changes; between them, the lab's.
    assert (first.result, second.result) == (60, limit)
    assert sys.getrecursionlimit() == limit
    assert builtins.len is len and len("ab") == 2
    assert sorted([2, 1]) == [1, 2]
    assert not hasattr(builtins, "sima_leak")
    assert sys.modules["json"] is json_module
    assert "sima_not_a_module" not in sys.modules
    assert (sys.path, sys.path_hooks) == (path, hooks)
    assert (sys.stdin, sys.excepthook) == (stdin, excepthook)


def test_what_the_code_leaves_behind_cannot_stop_the_putting_back() -> None:
    """An object whose comparison exits, left in the builtins and in sys.modules."""
    source = """
        import builtins, sys

        class Sly:
            def __eq__(self, other):
                raise SystemExit(1)

        def handler(event, context):
            builtins.print = Sly()
            sys.modules["json"] = Sly()
            return "left"
        """
    json_module = sys.modules["json"]
    lab = make_lab(source)
    assert [r.result for r in (lab.invoke(), lab.invoke())] == ["left", "left"]
    assert builtins.print is print_ and sys.modules["json"] is json_module


def test_a_million_lines_are_kept_to_the_limit_and_counted() -> None:
    lab = make_lab(
        "def handler(event, context):\n    for i in range(10**6):\n        print(i)\n",
        step_budget=None,
    )
    output = lab.invoke().output
    lines = output.splitlines()
    assert lines[:3] == ["0", "1", "2"]
    assert len(lines) == LabSettings().output_lines + 1
    assert lines[-2] == str(LabSettings().output_lines - 1)
    shown = sum(len(str(i)) + 1 for i in range(LabSettings().output_lines))
    total = sum(len(str(i)) + 1 for i in range(10**6))
    assert lines[-1] == (
        f"[output cut: {10**6 - LabSettings().output_lines:,} more lines "
        f"({total - shown:,} characters) not shown]"
    )


@pytest.mark.parametrize(
    ("writes", "max_lines", "max_chars", "expected"),
    [
        (["a\n", "b\n"], 5, 100, "a\nb\n"),
        (["a\nb\nc\nd"], 2, 100, "a\nb\n[output cut: 2 more lines (3 characters) not shown]\n"),
        (["a\nb\n", "c"], 2, 100, "a\nb\n[output cut: 1 more line (1 character) not shown]\n"),
        (["x" * 10], 5, 4, "xxxx\n[output cut: 1 more line (6 characters) not shown]\n"),
        (["line 1\n", "line 2\n"], 5, 13, "line 1\nline 2\n[output cut: 0 more lines"),
        (["éééé\n"], 5, 5, "éé\n[output cut: 1 more line (3 characters) not shown]\n"),
        (["\ud800 kept as written\n"], 5, 100, "\ud800 kept as written\n"),
    ],
)
def test_capped_output_keeps_whole_characters_and_says_what_it_cut(
    writes: list[str], max_lines: int, max_chars: int, expected: str
) -> None:
    output = CappedOutput(max_lines, max_chars)
    for text in writes:
        output.stream.write(text)
    assert output.getvalue().startswith(expected)


def test_the_output_is_a_real_text_stream() -> None:
    source = """
        import sys
        def handler(event, context):
            sys.stdout.buffer.write(b"bytes\\n")
            sys.stdout.flush()
            print("tty:", sys.stdout.isatty(), sys.stdout.encoding)
            sys.stdout.write(42)
        """
    record = make_lab(source).invoke()
    assert record.output == "bytes\ntty: False utf-8\n"
    assert record.error is not None and record.error.type == "TypeError"


def test_closing_stdout_loses_nothing_already_printed() -> None:
    source = (
        "import sys\ndef handler(event, context):\n    print('before')\n    sys.stdout.close()\n"
    )
    assert make_lab(source).invoke().output == "before\n"


PAYLOAD = {
    "ref_id": "T",
    "claims": '[demo]\nclaim = "good"\nsays = "It returns one."\nscenario = "compares"\n',
    "scenarios": (
        "def compares(lab):\n"
        "    record = lab.invoke()\n"
        "    return record.result == 1\n"  # no Verdict: only reached when nothing escapes
    ),
    "files": {"demo": "def handler(event, context):\n    return 1\n"},
}


def test_the_runner_answers_when_snippet_code_escapes_an_invocation() -> None:
    """An object whose `__eq__` exits is compared by the scenario, outside the lab."""
    code = (
        "class Sly:\n    def __eq__(self, other):\n        raise SystemExit(9)\n\n"
        "def handler(event, context):\n    return Sly()\n"
    )
    result = run_snippet(PAYLOAD, "demo", code)
    assert result["status"] == "error"
    assert result["message"] == (
        "snippets/T/demo.py: SystemExit: 9 escaped the check of claim 'demo' "
        "(raised outside an invocation)"
    )


@pytest.fixture
def scaffolded(project: Project, capsys: pytest.CaptureFixture[str]) -> Project:
    config = str(project.root / "mkdocs.yml")
    assert sima(["--config", config, "new", "LESS-23", "--title", "Contained"]) == 0
    capsys.readouterr()
    return project


@pytest.mark.parametrize(
    ("body", "error", "line"),
    [
        ("    raise KeyboardInterrupt\n", "KeyboardInterrupt (line 2)", 2),
        ("    raise SystemExit(4)\n", "ExitError: the process exited (code 4) (line 2)", 2),
        ("    import os\n    os._exit(5)\n", "exited (code 5) through os._exit() (line 3)", 3),
    ],
)
def test_sima_run_reports_an_exit_or_interrupt_as_the_snippets_failure(
    scaffolded: Project, capsys: pytest.CaptureFixture[str], body: str, error: str, line: int
) -> None:
    path = "snippets/LESS-23/example_good.py"
    scaffolded.write(path, "def handler(event, context):\n" + body)
    config = str(scaffolded.root / "mkdocs.yml")
    assert sima(["--config", config, "run", str(scaffolded.root / path)]) == 1
    out = capsys.readouterr().out
    assert error in out
    assert f"{path}:{line}: declared good" in out
    assert sima(["--config", config, "verify"]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "1 passed, 1 failed"


def test_ctrl_c_still_stops_sima_verify(scaffolded: Project) -> None:
    """SIGINT while snippet code runs stops the command (130), not just that snippet."""
    scaffolded.write(
        "snippets/LESS-23/example_good.py",
        "import sys, time\n\nsys.__stdout__.write('asleep\\n')\nsys.__stdout__.flush()\n"
        "time.sleep(60)\n\n\ndef handler(event, context):\n    return 1\n",
    )
    config = str(scaffolded.root / "mkdocs.yml")
    command = [sys.executable, "-m", "sima.cli", "--config", config, "verify"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as run:
        assert run.stdout is not None and run.stdout.readline() == "asleep\n"
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=30)
    assert run.returncode == 130
    assert err.strip().splitlines()[-1] == "sima: interrupted"
