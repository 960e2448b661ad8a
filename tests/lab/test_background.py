"""Background work: frozen after the handler returns, resumed by the next invocation."""

from __future__ import annotations

import textwrap

from sima_lab import Lab, LabSettings


def make_lab(source: str, **settings: object) -> Lab:
    return Lab(
        textwrap.dedent(source),
        filename="snippets/T/bg.py",
        settings=LabSettings(**settings),  # type: ignore[arg-type]
    )


FLUSH = """
    from lab import object_store, start_background, work

    S3 = object_store()


    def flush(n):
        S3.put(f"audit/{n}", "x")


    def handler(event, context):
        task = start_background(flush, event["n"], work_ms=250, name=f"flush-{event['n']}")
        work(100)
        if event.get("join"):
            task.join()
        return event["n"]
"""


def test_work_advances_only_while_an_invocation_runs() -> None:
    lab = make_lab(FLUSH)
    first = lab.invoke({"n": 1})
    assert (first.background_done, first.background_frozen) == ((), ("flush-1",))
    assert first.notes == (
        "frozen with 1 background task(s) unfinished: 'flush-1' (100 of 250 ms)",
    )
    lab.advance(300)  # frozen: idle time does not count
    second = lab.invoke({"n": 2})
    assert second.background_frozen == ("flush-1", "flush-2")
    assert lab.objects.keys() == []
    third = lab.invoke({"n": 3})  # flush-1 reaches 300 of 250 ms during this one
    assert third.background_done == ("flush-1",)
    assert third.counts["objects.put"] == 1
    assert lab.objects.keys() == ["audit/1"]
    assert lab.container("c1").tasks[0].finished_in == 3


def test_a_task_whose_container_retires_never_finishes() -> None:
    lab = make_lab(FLUSH)
    lab.invoke({"n": 1})
    lab.advance(601)
    record = lab.invoke({"n": 2, "join": True})
    assert record.container_id == "c2"
    assert record.notes[0] == (
        "c1 retired: idle 601.0 s > 600 s "
        "(1 background task(s) never finished: 'flush-1' (100 of 250 ms))"
    )
    assert lab.objects.keys() == ["audit/2"]
    assert lab.container("c1").tasks[0].done is False


def test_join_adds_the_remaining_work_to_the_handler() -> None:
    lab = make_lab(FLUSH)
    record = lab.invoke({"n": 1, "join": True})
    # module code 150 ms, then 250 ms of task work overlapping the handler's 100 ms,
    # then the flush's own put (20 ms)
    assert record.duration_ms == 150 + 250 + 20
    assert (record.background_done, record.background_frozen) == (("flush-1",), ())
    assert lab.objects.keys() == ["audit/1"]


def test_a_failing_task_does_not_fail_the_invocation() -> None:
    lab = make_lab(
        """
        from lab import start_background, work

        def boom():
            raise KeyError("missing")

        def handler(event, context):
            start_background(boom, work_ms=0)
            return "ok"
        """
    )
    record = lab.invoke()
    assert (record.result, record.error, record.background_done) == ("ok", None, ("boom",))
    assert record.output == "background task 'boom' raised KeyError: 'missing'\n"
    assert lab.container("c1").tasks[0].error == "KeyError: 'missing'"


def test_a_task_that_exits_the_process_retires_the_container() -> None:
    lab = make_lab(
        """
        import sys
        from lab import start_background

        def handler(event, context):
            start_background(sys.exit, 3, work_ms=0)
            return "ok"
        """
    )
    record = lab.invoke()
    assert record.result == "ok"
    assert record.notes == ("c1 retired after ExitError in background task 'exit'",)
    assert lab.invoke().container_id == "c2"


def test_start_background_checks_its_arguments() -> None:
    lab = make_lab(
        """
        from lab import start_background

        def handler(event, context):
            if event == "fn":
                start_background("not a function", work_ms=1)
            start_background(print, work_ms=-1)
        """
    )
    assert [lab.invoke(e).error_type for e in ("fn", "ms")] == ["TypeError", "ValueError"]
