"""The key-value table (conditional writes), the database proxy (a shared pool) and
injected object-store failures."""

from __future__ import annotations

import textwrap

from sima_lab import Lab, LabSettings


def make_lab(source: str, **settings: object) -> Lab:
    return Lab(
        textwrap.dedent(source),
        filename="snippets/T/kv.py",
        settings=LabSettings(**settings),  # type: ignore[arg-type]
    )


TABLE = """
    from lab import ConditionFailed, table

    T = table()

    def handler(event, context):
        try:
            T.put(event["key"], {"by": event["by"], "tags": ["a"]}, if_absent=True)
        except ConditionFailed as exc:
            return {"refused": str(exc), "item": T.get(event["key"])}
        item = T.get(event["key"])
        item["tags"].append("changed")  # a copy: the stored item does not change
        return {"written": True}
"""


def test_a_conditional_write_succeeds_once_per_key() -> None:
    lab = make_lab(TABLE)
    first = lab.invoke({"key": "order#1", "by": "first"})
    second = lab.invoke({"key": "order#1", "by": "second"})
    assert first.result == {"written": True}
    assert second.result == {
        "refused": "an item under 'order#1' already exists",
        "item": {"by": "first", "tags": ["a"]},
    }
    assert lab.table.get("order#1") == {"by": "first", "tags": ["a"]}
    assert (lab.table.puts, lab.table.refused, lab.table.writes("order#1")) == (2, 1, 1)
    assert first.counts == {"table.client": 1, "table.get": 1, "table.put": 1}
    assert second.counts == {"table.get": 1, "table.refused": 1}
    assert first.duration_ms == 150 + 15 + 10
    assert lab.table.keys("order#") == ["order#1"]


def test_table_items_are_plain_data_under_string_keys() -> None:
    lab = make_lab(
        """
        from lab import table

        def handler(event, context):
            T = table()
            if event == "key":
                T.put(1, {})
            T.put("k", ["not", "a", "dict"])
        """
    )
    assert [lab.invoke(e).error_type for e in ("key", "item")] == ["TypeError", "TypeError"]


PROXY = """
    from lab import connect_db_proxy, singleton_get_or_create

    def handler(event, context):
        db = singleton_get_or_create("db", connect_db_proxy)
        return len(db.query("select"))
"""


def test_the_proxy_keeps_the_server_under_its_pool_and_queues_the_rest() -> None:
    lab = make_lab(PROXY, proxy_max_connections=3)
    lab.db.results["select"] = [1, 2]
    records = lab.invoke_concurrently(list(range(7)))
    assert [r.result for r in records] == [2] * 7
    assert (lab.db.peak_open, lab.db.connects, lab.db_proxy.pool_size) == (3, 3, 3)
    # 3 open a pooled connection (20 ms to the proxy, 200 to open, 10 to query); the
    # rest wait for the first that comes free, 10 ms at a time
    assert [r.duration_ms for r in records] == [230, 230, 230, 240, 240, 240, 250]
    assert lab.db_proxy.waited_ms == 3 * 210 + 220
    warm = lab.invoke(8)
    assert (warm.duration_ms, warm.counts) == (10.0, {"db.query": 1, "proxy.query": 1})


def test_the_proxy_cannot_open_past_the_servers_limit() -> None:
    lab = make_lab(PROXY, proxy_max_connections=5, db_max_connections=2)
    records = lab.invoke_concurrently(list(range(3)))
    assert [(r.error_type, r.duration_ms) for r in records] == [
        (None, 230),
        (None, 230),
        (None, 240),
    ]
    assert lab.db.peak_open == 2
    assert make_lab(PROXY, db_max_connections=0).invoke().error_type == ("TooManyConnections")


def test_an_injected_object_store_failure_costs_the_request_and_stores_nothing() -> None:
    lab = make_lab(
        """
        from lab import ObjectStoreError, object_store

        S3 = object_store()

        def handler(event, context):
            try:
                S3.put("receipt", "x")
            except ObjectStoreError as exc:
                return str(exc)
            return "stored"
        """
    )
    lab.objects.fail_next(1)
    failed, stored = lab.invoke(), lab.invoke()
    assert (failed.result, failed.duration_ms) == (
        "SlowDown: Please reduce your request rate.",
        170,
    )
    assert failed.counts == {"objects.client": 1, "objects.error": 1}
    assert stored.result == "stored"
    assert (lab.objects.keys(), lab.objects.puts) == (["receipt"], 1)
