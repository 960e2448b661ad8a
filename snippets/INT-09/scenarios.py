"""Scenarios for INT-09: each drives the lab and says what it observed.

Every scenario also checks that the handler does its job: each invocation must
return its own caller's orders (or answer its ping) and query the database when the
answer needs it. A handler that returns None, returns something else or raises is
judged bad, with a sentence that says so; it never makes a scenario crash.
Each verdict names what went wrong (see each scenario's docstring), so that a bad
claim's `fails` can say which failure its snippet shows.
"""

from sima_lab import Invocation, Lab, Verdict
from sima_lab.answers import (
    answer,
    errors_in,
    judge,
    same,
    skipped,
    unexpected_errors,
    wrong_answers,
)

SQL = "select * from orders where user_id = %s"
ORDERS = [("order-1",), ("order-2",)]


def _unqueried(records: list[Invocation]) -> str:
    """'' when every order lookup that did not fail queried the database."""
    return skipped(
        records,
        "db.query",
        "queried the database",
        needs=lambda r: r.event.get("action", "orders") == "orders",
    )


def _own_orders(record: Invocation) -> bool:
    return same(answer(record.result, "userId"), record.event["userId"]) and same(
        answer(record.result, "orders"), len(ORDERS)
    )


def _wanted_orders(record: Invocation) -> str:
    return f"{record.event['userId']}'s {len(ORDERS)} orders"


# -- scenarios ------------------------------------------------------------------------------


def three_requests(lab: Lab) -> Verdict:
    """Three requests on one warm container: the client must be created once.

    This is the timing example of INT-09: creating the client costs 200 ms (the
    lab's `connect_db()`), and each request does 50 ms of work (`work(50)`). The
    query's own cost is set to zero so that the request's work is exactly those
    50 ms, as in the example.

    Failures: `client-per-request` (more clients than containers), `client-at-import`
    (the client was created by module code, not by the first request).
    """
    lab.settings.query_ms = 0
    lab.db.results[SQL] = ORDERS
    records = [lab.invoke({"userId": f"user-{n}"}) for n in range(1, 4)]
    containers = len(lab.all_containers)
    connect_ms = lab.settings.connect_ms
    total_ms = sum(r.duration_ms for r in records)
    each = ", ".join(f"{r.duration_ms:g}" for r in records)
    wrong = wrong_answers(records, _own_orders, _wanted_orders)
    unqueried = _unqueried(records)
    answered = all(r.ok for r in records) and not wrong and not unqueried
    at_import = sum(r.init_counts.get("db.connect", 0) for r in records)
    spent = (
        f"3 requests took {each} ms: {total_ms:g} ms in all, with {lab.db.connects} "
        f"client(s) created on {containers} container(s)"
    )
    if not answered:
        observed = spent
    elif lab.db.connects > containers:
        reused_ms = total_ms - (lab.db.connects - containers) * connect_ms
        saved = 100 * (total_ms - reused_ms) / total_ms
        observed = (
            f"{spent}; one client per container would cost {reused_ms:g} ms, {saved:.0f}% less"
        )
    else:
        per_request_ms = total_ms + (len(records) - lab.db.connects) * connect_ms
        saved = 100 * (per_request_ms - total_ms) / per_request_ms
        observed = (
            f"{spent}; a client per request would cost {per_request_ms:g} ms, "
            f"so reusing it saves {saved:.0f}%"
        )
    return judge(
        f"{observed}; {errors_in(records, message=True)}",
        unexpected_errors(records),
        client_per_request=lab.db.connects > containers,
        client_at_import=at_import > 0 and f"{at_import} client(s) were created at import",
        wrong_answer=wrong,
        skipped_work=unqueried,
    )


def mixed_traffic(lab: Lab) -> Verdict:
    """A burst of mostly pings: only containers that look orders up should connect.

    Failures: `unneeded-connection` (a container that only answered pings connected).
    """
    lab.db.results[SQL] = ORDERS
    burst = [
        {"action": "ping"},
        {"action": "ping"},
        {"action": "orders", "userId": "user-1"},
        {"action": "ping"},
    ]
    records = lab.invoke_concurrently(burst)
    records += [lab.invoke({"action": "ping"}) for _ in range(3)]
    records += [lab.invoke({"action": "orders", "userId": "user-2"})]
    needing = {r.container_id for r in records if r.event["action"] == "orders"}
    containers = len(lab.all_containers)

    def answered_right(record: Invocation) -> bool:
        if record.event["action"] == "ping":
            return same(answer(record.result, "action"), "ping") and same(
                answer(record.result, "ok"), True
            )
        return _own_orders(record)

    def wanted(record: Invocation) -> str:
        if record.event["action"] == "ping":
            return "{'action': 'ping', 'ok': True}"
        return _wanted_orders(record)

    wrong = wrong_answers(records, answered_right, wanted)
    unqueried = _unqueried(records)
    unused = max(0, lab.db.connects - len(needing))
    pings = sum(1 for r in records if r.event["action"] == "ping")
    return judge(
        f"{len(records)} requests ({pings} pings, {len(records) - pings} order lookups) on "
        f"{containers} containers opened {lab.db.connects} connection(s), "
        f"{unused} of them on containers that never looked orders up "
        f"({unused * lab.settings.connect_ms:g} ms of cold starts spent on them); "
        f"peak {lab.db.peak_open} open on the server; {errors_in(records, message=True)}",
        unexpected_errors(records),
        unneeded_connection=unused > 0,
        wrong_answer=wrong,
        skipped_work=unqueried,
    )
