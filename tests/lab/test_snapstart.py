"""SnapStart: one snapshot of an initialised container, restored into many."""

from __future__ import annotations

import textwrap

from sima_lab import Lab, LabSettings


def make_lab(source: str, **settings: object) -> Lab:
    return Lab(
        textwrap.dedent(source),
        filename="snippets/T/snap.py",
        settings=LabSettings(**settings),  # type: ignore[arg-type]
    )


UNIQUE = """
    import random
    import uuid

    from lab import connect_db, register_after_restore, register_before_snapshot, work

    AT_INIT = str(uuid.uuid4())
    DB = connect_db()
    SEEN = []
    HOOKS = []


    @register_before_snapshot
    def first_before():
        HOOKS.append("before-1")


    register_before_snapshot(HOOKS.append, "before-2")


    @register_after_restore
    def refresh():
        global AFTER_RESTORE
        AFTER_RESTORE = str(uuid.uuid4())
        HOOKS.append("after-1")
        work(5)


    register_after_restore(HOOKS.append, "after-2")


    def handler(event, context):
        SEEN.append(event)
        DB.query("select 1")
        return {
            "at_init": AT_INIT,
            "after_restore": AFTER_RESTORE,
            "random": random.random(),
            "seen": list(SEEN),
            "hooks": list(HOOKS),
        }
"""


def test_module_code_runs_once_and_every_container_is_restored_from_it() -> None:
    lab = make_lab(UNIQUE, snapstart=True)
    records = lab.invoke_concurrently([1, 2, 3])
    assert [(r.container_id, r.cold, r.restored) for r in records] == [
        ("c1", True, True),
        ("c2", True, True),
        ("c3", True, True),
    ]
    snapshot = lab.snapshot
    assert snapshot is not None
    assert (snapshot.id, snapshot.init_ms, snapshot.init_counts) == ("s1", 200.0, {"db.connect": 1})
    assert lab.db.connects == 1  # the module code ran once
    assert [r.init_ms for r in records] == [5.0, 5.0, 5.0]  # the after-restore hook's cost
    assert [r.duration_ms for r in records] == [15.0, 15.0, 15.0]
    assert records[0].init_counts == {}
    assert records[0].notes == ("c1 restored from snapshot s1 (2 after-restore hooks)",)


def test_what_init_made_unique_is_shared_and_what_a_hook_made_is_not() -> None:
    lab = make_lab(UNIQUE, snapstart=True)
    results = [r.result for r in lab.invoke_concurrently([1, 2, 3])]
    assert len({r["at_init"] for r in results}) == 1
    assert len({r["after_restore"] for r in results}) == 3
    assert len({r["random"] for r in results}) == 1  # the generator's state was copied
    # before-snapshot hooks run in reverse order of registration, after-restore in order
    assert results[0]["hooks"] == ["before-2", "before-1", "after-1", "after-2"]


def test_restored_containers_have_globals_of_their_own() -> None:
    lab = make_lab(UNIQUE, snapstart=True)
    lab.invoke_concurrently([1, 2])
    assert lab.invoke(3, container="c1").result["seen"] == [1, 3]
    assert lab.invoke(4, container="c2").result["seen"] == [2, 4]
    assert lab.container("c1").globals()["SEEN"] == [1, 3]
    assert lab.container("c2").globals()["SEEN"] == [2, 4]
    assert lab.snapshot is not None
    assert lab.snapshot.globals()["SEEN"] == []


def test_a_connection_opened_at_init_is_one_connection_for_every_restored_container() -> None:
    lab = make_lab(UNIQUE, snapstart=True)
    lab.invoke_concurrently([1, 2, 3])
    assert (lab.db.connects, lab.db.queries, lab.db.open_connections) == (1, 3, 1)
    lab.advance(601)  # every container retires; the snapshot's connection stays open
    assert lab.containers == []
    assert lab.db.open_connections == 1


PLAIN = UNIQUE.replace("AFTER_RESTORE,", "None,")


def test_without_snapstart_hooks_never_run_and_each_container_is_unique() -> None:
    lab = make_lab(PLAIN)
    results = [r.result for r in lab.invoke_concurrently([1, 2])]
    assert [r["hooks"] for r in results] == [[], []]
    assert len({r["at_init"] for r in results}) == 2
    assert len({r["random"] for r in results}) == 2


def test_entropy_is_deterministic_per_container() -> None:
    first = [r.result["at_init"] for r in make_lab(PLAIN).invoke_concurrently([1, 2])]
    again = [r.result["at_init"] for r in make_lab(PLAIN).invoke_concurrently([1, 2])]
    assert first == again
    assert first[0] != first[1]


def test_a_failing_after_restore_hook_fails_the_invocation_and_retires_the_container() -> None:
    lab = make_lab(
        """
        from lab import register_after_restore

        @register_after_restore
        def broken():
            raise RuntimeError("no secret")

        def handler(event, context):
            return "ok"
        """,
        snapstart=True,
    )
    first, second = lab.invoke(), lab.invoke()
    assert first.error is not None
    assert (first.error.type, first.error.phase, first.restored) == (
        "RuntimeError",
        "restore",
        True,
    )
    assert lab.container("c1").alive is False
    assert second.container_id == "c2"
    assert lab.db.connects == 0


def test_a_snapshot_whose_module_code_fails_fails_every_cold_start() -> None:
    lab = make_lab(
        """
        from lab import get_parameter

        SETTING = get_parameter("/missing")

        def handler(event, context):
            return SETTING
        """,
        snapstart=True,
    )
    records = [lab.invoke(), lab.invoke()]
    assert [(r.error.type, r.error.phase) for r in records if r.error] == [
        ("ParameterNotFound", "init"),
        ("ParameterNotFound", "init"),
    ]
    assert lab.snapshot is None
    assert lab.params.reads == 2  # each cold start tries to take the snapshot again


def test_after_restore_hooks_have_a_budget() -> None:
    lab = make_lab(
        """
        from lab import register_after_restore, work

        register_after_restore(work, 11_000)

        def handler(event, context):
            return "ok"
        """,
        snapstart=True,
    )
    record = lab.invoke()
    assert record.error is not None
    assert (record.error.type, record.init_ms) == ("RestoreTimeout", 10_000.0)


def test_memory_and_tmp_are_carried_into_restored_containers() -> None:
    lab = make_lab(
        """
        import heavy_library
        from lab import allocate, memory_used_mb, temp_file, tmp_used_mb

        MODEL = allocate(10, "model")
        PATH = temp_file(3)

        def handler(event, context):
            return memory_used_mb(), tmp_used_mb()
        """,
        snapstart=True,
    )
    records = lab.invoke_concurrently([1, 2])
    assert [r.result for r in records] == [(100.0, 3.0), (100.0, 3.0)]  # 40 + 50 + 10
