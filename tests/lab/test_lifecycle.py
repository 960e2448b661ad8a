"""Containers: cold and warm starts, recycling, routing, the clock, budgets, isolation."""

from __future__ import annotations

import sys
import textwrap

import pytest

from sima_lab import Lab, LabError, LabSettings


def make_lab(source: str, filename: str = "snippets/T/demo.py", **settings: object) -> Lab:
    return Lab(textwrap.dedent(source), filename=filename, settings=LabSettings(**settings))  # type: ignore[arg-type]


COUNTER = """
    from lab import work

    COLD = []
    _count = 0

    COLD.append("module code ran")


    def handler(event, context):
        global _count
        _count += 1
        work(10)
        return {"count": _count, "cold_runs": len(COLD), "event": event}
"""


def test_cold_start_runs_module_code_and_warm_start_reuses_it() -> None:
    lab = make_lab(COUNTER)
    first, second, third = (lab.invoke(n) for n in range(3))
    assert [r.cold for r in (first, second, third)] == [True, False, False]
    assert [r.container_id for r in (first, second, third)] == ["c1", "c1", "c1"]
    assert [r.result["count"] for r in (first, second, third)] == [1, 2, 3]
    assert third.result["cold_runs"] == 1
    assert third.result["event"] == 2


def test_recycling_after_n_invocations_starts_a_new_container() -> None:
    lab = make_lab(COUNTER, recycle_after=2)
    records = [lab.invoke(n) for n in range(5)]
    assert [(r.container_id, r.cold) for r in records] == [
        ("c1", True),
        ("c1", False),
        ("c2", True),
        ("c2", False),
        ("c3", True),
    ]
    assert records[1].notes == ("c1 recycled after 2 invocations",)
    assert [r.result["count"] for r in records] == [1, 2, 1, 2, 1]
    assert lab.container("c1").retired_reason == "recycled after 2 invocations"
    assert [c.id for c in lab.containers] == ["c3"]


def test_idle_timeout_retires_a_container_only_past_the_limit() -> None:
    lab = make_lab(COUNTER, idle_timeout=600.0)
    lab.invoke()
    lab.advance(600)
    assert lab.invoke().cold is False  # idle exactly 600 s: still warm
    lab.advance(600.001)
    record = lab.invoke()
    assert record.cold is True
    assert record.container_id == "c2"
    assert record.notes == ("c1 retired: idle 600.0 s > 600 s",)
    assert lab.container("c1").alive is False


def test_advance_retires_idle_containers_at_once() -> None:
    lab = make_lab(COUNTER, idle_timeout=60.0)
    lab.invoke()
    assert len(lab.containers) == 1
    lab.advance(61)
    assert lab.containers == []
    with pytest.raises(LabError, match="time only goes forward"):
        lab.advance(-1)


def test_concurrent_requests_go_to_different_containers() -> None:
    lab = make_lab(COUNTER)
    burst = lab.invoke_concurrently(["a", "b", "c"])
    assert [(r.container_id, r.cold, r.start_ms) for r in burst] == [
        ("c1", True, 0.0),
        ("c2", True, 0.0),
        ("c3", True, 0.0),
    ]
    assert lab.now == pytest.approx(0.010)
    # The most recently used idle container serves the next request.
    assert lab.invoke("d").container_id == "c3"
    again = lab.invoke_concurrently(["e", "f"])
    assert [(r.container_id, r.cold) for r in again] == [("c3", False), ("c2", False)]
    assert [r.result["count"] for r in again] == [3, 2]


def test_forcing_a_container() -> None:
    lab = make_lab(COUNTER, recycle_after=1)
    lab.invoke_concurrently([1, 2])
    with pytest.raises(LabError, match="c1 is not in service"):
        lab.invoke(3, container="c1")
    with pytest.raises(LabError, match="no container 'c9'"):
        lab.invoke(3, container="c9")
    lab.settings.recycle_after = None
    lab.invoke_concurrently([1, 2])  # c3, c4
    assert lab.invoke(5, container="c3").container_id == "c3"
    assert lab.invoke(6, container=lab.container("c4")).container_id == "c4"


CLOCK = """
    import heavy_library

    from lab import connect_db, get_parameter, object_store, temp_file, work

    DB = connect_db()                     # 200 ms
    SETTING = get_parameter("/app/x")     # 20 ms; heavy_library: 2000 ms


    def handler(event, context):
        DB.query("select 1")              # 10 ms
        work(5)                           # 5 ms
        store = object_store()            # 150 ms
        store.put("k", b"v")              # 20 ms
        store.get("k")                    # 15 ms
        temp_file(1)                      # 5 ms
        return context.get_remaining_time_in_millis()
"""


def test_virtual_clock_adds_declared_costs() -> None:
    lab = make_lab(CLOCK)
    lab.params.put("/app/x", "1")
    first = lab.invoke()
    assert first.init_ms == 2220.0
    assert first.duration_ms == 2220.0 + 205.0
    assert first.result == 3000 - 205  # remaining time, read after 205 ms of handler
    second = lab.invoke()
    assert second.start_ms == 2425.0
    assert second.duration_ms == 205.0
    assert second.init_ms == 0.0
    assert lab.now == pytest.approx(2.630)
    assert first.counts == {
        "db.connect": 1,
        "db.query": 1,
        "heavy.import": 1,
        "objects.client": 1,
        "objects.get": 1,
        "objects.put": 1,
        "params.read": 1,
        "tmp.create": 1,
    }


def test_a_thousand_invocations_cost_no_real_time() -> None:
    lab = make_lab("from lab import work\ndef handler(event, context):\n    work(1000)\n")
    for _ in range(1000):
        lab.invoke()
    assert lab.now == pytest.approx(1000.0)
    assert len(lab.trace) == 1000


def test_init_budget_fails_a_slow_cold_start() -> None:
    lab = make_lab(
        """
        from lab import work

        work(11_000)


        def handler(event, context):
            return "ok"
        """
    )
    failed = lab.invoke()
    assert failed.error is not None
    assert failed.error.type == "InitTimeout"
    assert failed.error.message == "init phase passed its 10.0 s budget"
    assert (failed.error.phase, failed.error.line) == ("init", 4)
    assert failed.duration_ms == 10_000.0
    assert failed.notes == ("c1 retired after InitTimeout",)
    assert lab.invoke().container_id == "c2"


def test_function_timeout_ends_a_slow_handler_and_replaces_the_container() -> None:
    lab = make_lab(
        """
        from lab import work

        def handler(event, context):
            work(event)
            return "done"
        """,
        timeout=3.0,
    )
    slow = lab.invoke(5000)
    assert slow.error is not None
    assert (slow.error.type, slow.error.message) == (
        "Timeout",
        "Task timed out after 3.00 seconds",
    )
    assert slow.duration_ms == 3000.0
    fast = lab.invoke(10)
    assert (fast.cold, fast.container_id, fast.result) == (True, "c2", "done")


def test_snippet_exception_is_recorded_not_raised() -> None:
    lab = make_lab(
        """
        def handler(event, context):
            return {"value": event["missing"]}
        """
    )
    record = lab.invoke({})
    assert record.ok is False
    assert record.error is not None
    assert (record.error.type, record.error.message, record.error.line) == (
        "KeyError",
        "'missing'",
        3,
    )
    assert record.error.filename == "snippets/T/demo.py"
    assert str(record.error) == "KeyError: 'missing' (line 3)"
    assert lab.invoke({"missing": 1}).container_id == "c1"  # still warm


def test_error_in_module_code_fails_the_cold_start() -> None:
    lab = make_lab("import json\nVALUE = 1 / 0\ndef handler(event, context):\n    return 1\n")
    record = lab.invoke()
    assert record.error is not None
    assert (record.error.type, record.error.phase, record.error.line) == (
        "ZeroDivisionError",
        "init",
        2,
    )
    assert lab.containers == []


def test_missing_handler_and_sys_exit() -> None:
    lab = make_lab("X = 1\n")
    record = lab.invoke()
    assert record.error is not None
    assert record.error.type == "HandlerNotFound"
    assert record.error.message == "snippets/T/demo.py defines no handler(event, context)"
    lab = make_lab("import sys\ndef handler(event, context):\n    sys.exit(3)\n")
    record = lab.invoke()
    assert record.error is not None
    assert (record.error.type, record.error.message) == (
        "ExitError",
        "the process exited (code 3)",
    )
    assert lab.containers == []


def test_context_object() -> None:
    lab = make_lab(
        """
        def handler(event, context):
            return (
                context.aws_request_id,
                context.function_name,
                context.memory_limit_in_mb,
                context.get_remaining_time_in_millis(),
            )
        """,
        function_name="orders",
        memory_limit_mb=256,
    )
    first, second = lab.invoke(), lab.invoke()
    assert first.result == ("00000000-0000-4000-8000-000000000001", "orders", 256, 3000)
    assert second.result[0] == "00000000-0000-4000-8000-000000000002"
    assert first.request_id == first.result[0]


def test_print_output_is_captured_per_invocation(capsys: pytest.CaptureFixture[str]) -> None:
    lab = make_lab("print('cold')\ndef handler(event, context):\n    print('hi', event)\n")
    first, second = lab.invoke(1), lab.invoke(2)
    assert (first.output, second.output) == ("cold\nhi 1\n", "hi 2\n")
    assert capsys.readouterr().out == ""


def test_nothing_is_left_installed_between_invocations() -> None:
    meta_path = list(sys.meta_path)
    trace = sys.gettrace()
    stdout = sys.stdout
    lab = make_lab(
        "import heavy_library\nfrom lab import work\ndef handler(event, context):\n    return 1\n"
    )
    lab.invoke()
    lab.invoke_concurrently([1, 2])
    assert "lab" not in sys.modules
    assert "demo" not in sys.modules
    assert "heavy_library" not in sys.modules
    assert sys.meta_path == meta_path
    assert sys.gettrace() is trace
    assert sys.stdout is stdout


def test_each_container_has_its_own_namespace() -> None:
    lab = make_lab(COUNTER)
    lab.invoke_concurrently([1, 2])
    one, two = lab.containers
    assert one.module() is not two.module()
    assert one.globals()["_count"] == 1
    assert two.globals()["_count"] == 1
    assert one.globals()["__name__"] == "demo"
    assert one.globals()["__file__"] == "snippets/T/demo.py"


GATEWAY = """
import interface


def handler(event, context):
    return interface.add(event)
"""
INTERFACE = """
def add(value):
    import core  # lazy, as the gateway/interface/core layers do

    return core.add_impl(value)
"""
CORE = """
STATE = []


def add_impl(value):
    if value is None:
        raise ValueError("no value")
    STATE.append(value)
    return len(STATE)
"""


def test_multi_module_snippet_imports_the_containers_own_copies() -> None:
    lab = Lab(
        GATEWAY,
        filename="snippets/ARCH-02/gateway.py",
        modules={"interface": INTERFACE, "core": CORE},
    )
    first, second = lab.invoke("a"), lab.invoke("b")
    third, fourth = lab.invoke_concurrently(["c", "d"])
    assert [r.result for r in (first, second, third, fourth)] == [1, 2, 3, 1]
    assert second.state_changes == ("core.STATE: ['a'] -> ['a', 'b']",)
    assert lab.filenames["core"] == "snippets/ARCH-02/core.py"
    failed = lab.invoke(None)
    assert failed.error is not None
    assert (failed.error.filename, failed.error.line) == ("snippets/ARCH-02/core.py", 7)
    assert "core" not in sys.modules and "interface" not in sys.modules


def test_bad_module_names_and_syntax_errors() -> None:
    with pytest.raises(LabError, match="'lab' cannot be a module name"):
        Lab("", modules={"lab": ""})
    with pytest.raises(SyntaxError) as info:
        Lab("def handler(:\n", filename="snippets/T/broken.py")
    assert (info.value.filename, info.value.lineno) == ("snippets/T/broken.py", 1)


def test_future_imports_of_the_lab_do_not_leak_into_snippets() -> None:
    lab = make_lab("def handler(event, context) -> 'int':\n    return handler.__annotations__\n")
    assert lab.invoke().result == {"return": "int"}
    lab = make_lab("def handler(event, context) -> int:\n    return handler.__annotations__\n")
    assert lab.invoke().result == {"return": int}
