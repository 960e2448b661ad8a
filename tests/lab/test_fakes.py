"""The instrumented fakes: what they count, what they cost, where they fail."""

from __future__ import annotations

import textwrap

import pytest

from sima_lab import Lab, LabSettings, SingletonNotFound
from sima_lab.fakes import SingletonRegistry


def make_lab(source: str, **settings: object) -> Lab:
    return Lab(
        textwrap.dedent(source),
        filename="snippets/T/fake.py",
        settings=LabSettings(**settings),  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------- database


def test_database_counts_connects_queries_and_closes() -> None:
    lab = make_lab(
        """
        from lab import connect_db

        def handler(event, context):
            with connect_db() as db:
                db.query("a")
                db.query("b")
            return db.closed
        """
    )
    lab.db.results["a"] = [(1,)]
    records = [lab.invoke() for _ in range(3)]
    assert [r.result for r in records] == [True, True, True]
    assert (lab.db.connects, lab.db.queries, lab.db.closes) == (3, 6, 3)
    assert lab.db.open_connections == 0
    assert records[0].counts == {"db.close": 1, "db.connect": 1, "db.query": 2}
    assert records[0].duration_ms == 220.0


def test_the_limit_holds_for_connections_opened_later_by_a_concurrent_container() -> None:
    lab = make_lab(
        """
        from lab import connect_db

        POOL = [connect_db() for _ in range(3)]  # at 0, 200 and 400 ms

        def handler(event, context):
            return len(POOL)
        """,
        db_max_connections=4,
    )
    first, second = lab.invoke_concurrently([1, 2])
    # The second container's first connection (at 0 ms) fits: 4 by 400 ms. Its second
    # (at 200 ms) would be the 5th at 400 ms, when the first container's third opens:
    # refused, although at 200 ms itself only 3 were open. The refused container is
    # replaced at 400 ms, closing its connection, so 3 is the most ever open at once.
    assert (first.result, second.error_type) == (3, "TooManyConnections")
    assert (lab.db.peak_open, lab.db.connects, lab.db.refused) == (3, 4, 1)


def test_query_returns_a_copy_of_the_canned_rows() -> None:
    lab = make_lab(
        """
        from lab import connect_db

        DB = connect_db()

        def handler(event, context):
            rows = DB.query("select")
            rows.append("mine")
            return rows
        """
    )
    lab.db.results["select"] = [1]
    assert lab.invoke().result == [1, "mine"]
    assert lab.invoke().result == [1, "mine"]


def test_connection_limit_refuses_concurrent_cold_starts() -> None:
    lab = make_lab(
        """
        from lab import connect_db

        DB = connect_db()

        def handler(event, context):
            return DB.number
        """,
        db_max_connections=2,
    )
    records = lab.invoke_concurrently([1, 2, 3])
    assert [r.result for r in records[:2]] == [1, 2]
    refused = records[2]
    assert refused.error is not None
    assert (refused.error.type, refused.error.message, refused.error.line) == (
        "TooManyConnections",
        "too many connections: the server allows 2",
        4,
    )
    assert (lab.db.refused, lab.db.open_connections, lab.db.peak_open) == (1, 2, 2)
    assert refused.counts == {"db.refused": 1}


def test_connections_overlap_on_the_virtual_clock() -> None:
    lab = make_lab(
        """
        from lab import connect_db, work

        def handler(event, context):
            with connect_db() as db:
                work(50)
            return "ok"
        """
    )
    lab.db.max_connections = 2
    burst = lab.invoke_concurrently([1, 2, 3])
    assert [r.error_type for r in burst] == [None, None, "TooManyConnections"]
    assert lab.db.peak_open == 2
    later = [lab.invoke() for _ in range(3)]  # one after the other: never two at once
    assert all(r.ok for r in later)
    assert lab.db.peak_open == 2
    assert lab.settings.db_max_connections == 2


def test_closed_connection_and_retired_container() -> None:
    lab = make_lab(
        """
        from lab import connect_db

        DB = connect_db()

        def handler(event, context):
            if event == "close":
                DB.close()
            return DB.query("x")
        """,
        recycle_after=3,
    )
    assert lab.invoke().ok
    assert lab.db.open_connections == 1
    failed = lab.invoke("close")
    assert failed.error is not None
    assert (failed.error.type, failed.error.message) == (
        "ConnectionClosedError",
        "connection 1 is closed",
    )
    lab.invoke()  # third invocation: c1 is recycled and its connection closed
    assert (lab.db.connects, lab.db.closes, lab.db.open_connections) == (1, 1, 0)
    lab.invoke()
    assert lab.db.open_connections == 1
    lab.container("c2").retire("test")
    assert lab.db.open_connections == 0
    assert repr(lab.container("c2").connections[0]) == "<Connection 2 closed>"


# ---------------------------------------------------------------- parameter store


PARAM = """
    from lab import get_parameter

    def handler(event, context):
        return get_parameter(event)
"""


def test_parameter_changes_are_seen_by_the_next_read() -> None:
    lab = make_lab(PARAM)
    assert lab.params.put("/a", "1") == 1
    assert lab.invoke("/a").result == "1"
    assert lab.params.put("/a", "2") == 2
    record = lab.invoke("/a")
    assert (record.result, record.duration_ms, record.counts) == ("2", 20.0, {"params.read": 1})
    assert (lab.params.reads, lab.params.value("/a"), lab.params.version("/a")) == (2, "2", 2)
    with pytest.raises(TypeError, match="parameter values are strings"):
        lab.params.put("/a", 3)  # type: ignore[arg-type]


def test_missing_parameter_and_injected_failures() -> None:
    lab = make_lab(PARAM)
    lab.params.put("/a", "1")
    missing = lab.invoke("/nope")
    assert missing.error is not None
    assert (missing.error.type, missing.error.message) == (
        "ParameterNotFound",
        "parameter '/nope' not found",
    )
    lab.params.fail_next(2)
    errors = [lab.invoke("/a").error for _ in range(3)]
    assert [e.type if e else None for e in errors] == [
        "ParameterStoreError",
        "ParameterStoreError",
        None,
    ]
    assert errors[0] is not None
    assert errors[0].message == "ThrottlingException: Rate exceeded"
    assert lab.params.reads == 4


# ---------------------------------------------------------------- object store


def test_object_store_client_counts_and_costs() -> None:
    lab = make_lab(
        """
        from lab import NoSuchKey, object_store

        S3 = object_store()

        def handler(event, context):
            S3.put("out", S3.get("in") + b"!")
            try:
                S3.get("nothing")
            except NoSuchKey as exc:
                return str(exc)
        """
    )
    lab.objects.put("in", "data")
    first, second = lab.invoke(), lab.invoke()
    assert first.result == "no object under key 'nothing'"
    assert lab.objects.get("out") == b"data!"
    assert (lab.objects.clients, lab.objects.gets, lab.objects.puts) == (1, 4, 2)
    assert first.duration_ms == 150 + 15 + 20 + 15
    assert second.counts == {"objects.get": 2, "objects.put": 1}
    assert lab.objects.keys() == ["in", "out"]


# ---------------------------------------------------------------- /tmp


def test_tmp_quota_raises_enospc_after_warm_invocations_fill_it() -> None:
    lab = make_lab(
        """
        import errno

        from lab import temp_file, tmp_used_mb

        KEPT = []

        def handler(event, context):
            try:
                KEPT.append(temp_file(size_mb=100))
            except OSError as exc:
                return ("full", exc.errno == errno.ENOSPC, tmp_used_mb())
            return KEPT[-1]
        """
    )
    results = [lab.invoke().result for _ in range(6)]
    assert results[:5] == [f"/tmp/lab-000{n}.tmp" for n in range(1, 6)]
    assert results[5] == ("full", True, 500.0)
    container = lab.container("c1")
    assert (container.tmp.used_mb, container.tmp.peak_mb, container.tmp.quota_mb) == (
        500.0,
        500.0,
        512.0,
    )
    assert len(container.tmp.files) == 5


def test_tmp_error_message_is_the_same_on_every_platform() -> None:
    lab = make_lab(
        """
        from lab import remove_temp_file, temp_file

        def handler(event, context):
            if event == "remove":
                remove_temp_file("/tmp/none")
            temp_file(size_mb=600)
        """
    )
    full = lab.invoke()
    assert full.error is not None
    assert (full.error.type, full.error.message) == (
        "OSError",
        "[ENOSPC] No space left on device: '/tmp/lab-0001.tmp'",
    )
    missing = lab.invoke("remove")
    assert missing.error is not None
    assert (missing.error.type, missing.error.message) == (
        "FileNotFoundError",
        "[ENOENT] No such file or directory: '/tmp/none'",
    )


def test_temporary_file_is_removed_even_when_the_block_raises() -> None:
    lab = make_lab(
        """
        from lab import temporary_file, tmp_used_mb

        def handler(event, context):
            with temporary_file(size_mb=10) as path:
                inside = tmp_used_mb()
                if event:
                    raise RuntimeError(path)
            return inside, tmp_used_mb()
        """
    )
    assert lab.invoke().result == (10.0, 0.0)
    failed = lab.invoke(True)
    assert failed.error is not None
    assert failed.error.message == "/tmp/lab-0002.tmp"
    assert failed.tmp_mb == 0.0
    assert failed.counts == {"tmp.create": 1, "tmp.remove": 1}


def test_tmp_starts_empty_in_a_new_container() -> None:
    lab = make_lab(
        "from lab import temp_file\ndef handler(event, context):\n    temp_file(50)\n",
        recycle_after=2,
    )
    assert [lab.invoke().tmp_mb for _ in range(3)] == [50.0, 100.0, 50.0]


# ---------------------------------------------------------------- memory


def test_memory_account_counts_live_blobs_only() -> None:
    lab = make_lab(
        """
        from lab import allocate, memory_limit_mb, memory_used_mb

        KEPT = []

        def handler(event, context):
            temporary = allocate(20)
            during = memory_used_mb()
            del temporary
            KEPT.append(allocate(5, label="x"))
            return during, memory_used_mb(), memory_limit_mb(), repr(KEPT[-1])
        """
    )
    assert lab.invoke().result == (60.0, 45.0, 128, "<Blob 'x' 5 MB>")
    second = lab.invoke()
    assert second.result[:2] == (65.0, 50.0)
    assert second.memory_mb == 50.0
    assert lab.container("c1").memory.peak_mb == 65.0


def test_passing_the_memory_limit_kills_the_container() -> None:
    lab = make_lab(
        """
        from lab import allocate

        CACHE = []

        def handler(event, context):
            CACHE.append(allocate(30))
            return len(CACHE)
        """,
        memory_limit_mb=128,
        base_memory_mb=40.0,
    )
    records = [lab.invoke() for _ in range(4)]
    assert [r.result for r in records[:2]] == [1, 2]
    killed = records[2]
    assert killed.error is not None
    assert (killed.error.type, killed.error.message, killed.error.line) == (
        "OutOfMemory",
        "memory 130.0 MB passed the 128 MB limit",
        7,
    )
    assert killed.notes == ("c1 retired after OutOfMemory",)
    assert (records[3].container_id, records[3].cold, records[3].result) == ("c2", True, 1)


def test_heavy_import_is_paid_once_per_container() -> None:
    lab = make_lab(
        """
        from lab import heavy_import, memory_used_mb

        def handler(event, context):
            import heavy_library

            other = heavy_import("big_model", seconds=1.5, size_mb=30)
            return heavy_library.process(event), other.SIZE_MB, memory_used_mb()
        """,
        timeout=5.0,
    )
    first, second = lab.invoke("x"), lab.invoke("y")
    assert first.result == ("x", 30.0, 120.0)
    assert first.duration_ms == 3500.0
    assert second.result == ("y", 30.0, 120.0)
    assert second.duration_ms == 0.0
    assert lab.counts["heavy.import"] == 2


def test_heavy_import_at_module_level_lands_in_the_init_phase() -> None:
    lab = make_lab(
        "import heavy_library\ndef handler(event, context):\n    return heavy_library.SIZE_MB\n",
        heavy_modules={},
    )
    failed = lab.invoke()
    assert failed.error is not None
    assert failed.error.type == "ModuleNotFoundError"
    lab = make_lab(
        "import heavy_library\ndef handler(event, context):\n    return heavy_library.SIZE_MB\n"
    )
    first, second = lab.invoke(), lab.invoke()
    assert (first.init_ms, first.duration_ms, first.result, first.memory_mb) == (
        2000.0,
        2000.0,
        50.0,
        90.0,
    )
    assert (second.duration_ms, second.counts) == (0.0, {})
    assert lab.invoke_concurrently([1, 2])[1].counts == {"heavy.import": 1}


# ---------------------------------------------------------------- singletons


SINGLETONS = """
    from lab import (
        singleton_clear,
        singleton_delete,
        singleton_get,
        singleton_get_or_create,
        singleton_has,
        singleton_stats,
        work,
    )

    def make_client():
        work(200)
        return {"client": True}

    def handler(event, context):
        if event == "get_or_create":
            return singleton_get_or_create("client", make_client)
        if event == "get":
            return singleton_get("client")
        if event == "has":
            return singleton_has("client")
        if event == "delete":
            return singleton_delete("client")
        if event == "clear":
            return singleton_clear()
        return singleton_stats()
"""


def test_singleton_registry_operations() -> None:
    lab = make_lab(SINGLETONS)
    missing = lab.invoke("get")
    assert missing.error is not None
    assert missing.error.type == "SingletonNotFound"
    assert missing.error.message == (
        "no singleton named 'client' (registered: none); "
        "pass a factory or use singleton_get_or_create"
    )
    created = lab.invoke("get_or_create")
    assert (created.duration_ms, created.counts) == (200.0, {"singleton.create": 1})
    assert created.state_changes == ("+singleton['client'] = {'client': True}",)
    reused = lab.invoke("get_or_create")
    assert (reused.duration_ms, reused.result) == (0.0, {"client": True})
    assert [lab.invoke(op).result for op in ("get", "has", "delete", "delete", "has")] == [
        {"client": True},
        True,
        True,
        False,
        False,
    ]
    lab.invoke("get_or_create")
    assert lab.invoke("clear").result == 1
    assert lab.invoke("stats").result == {
        "names": [],
        "count": 0,
        "created": 2,
        "hits": 2,
        "deleted": 2,
    }


def test_singletons_are_per_container() -> None:
    lab = make_lab(SINGLETONS)
    lab.invoke_concurrently(["get_or_create", "get_or_create"])
    assert lab.counts["singleton.create"] == 2
    assert [c.singletons.stats()["names"] for c in lab.containers] == [["client"], ["client"]]


class _Meter:
    def __init__(self) -> None:
        self.counted: list[str] = []

    def charge(self, ms: float) -> None:
        pass

    def count(self, key: str, n: int = 1) -> None:
        self.counted.append(key)

    def now_us(self) -> int:
        return 0


def test_failed_factory_stores_nothing_and_missing_get_raises_key_error() -> None:
    registry = SingletonRegistry(_Meter())

    def broken() -> object:
        raise RuntimeError("down")

    with pytest.raises(RuntimeError):
        registry.get("db", broken)
    assert registry.has("db") is False
    with pytest.raises(KeyError) as info:
        registry.get("db")
    assert isinstance(info.value, SingletonNotFound)
    assert str(info.value).startswith("no singleton named 'db'")
    assert registry.get("db", lambda: 7) == 7
    assert registry.get("db") == 7
