"""Scenarios for LESS-22: each drives the lab and says what it observed.

A scenario takes a Lab that already holds one snippet's code, runs invocations, and
returns Verdict(good, observed): good when the behaviour it checks is right, and one
sentence with the numbers of the run.

Every scenario also checks that the handler still does its job: each invocation
answers its own event correctly and does the work that answer needs (a query, a
read, a temp file...). A handler that returns None, returns something else or
raises is judged bad, with a sentence that says so; it never makes a scenario crash.
Failures are allowed only where they are what the scenario observes (the throttled
parameter read of `first_request_init`, ENOSPC in `tmp_growth`, OutOfMemory in
`memory_pressure`), and even there they make the verdict bad.
"""

from collections import Counter

from sima_lab import Invocation, Lab, Verdict
from sima_lab.answers import also, answer, plain_int, same, text_of, wrong_answers


def _errors(records: list[Invocation]) -> str:
    """'3 of 4 failed, first: TypeError at line 14', or 'no errors'."""
    failed = [r for r in records if r.error is not None]
    if not failed:
        return "no errors"
    first = failed[0].error
    assert first is not None
    where = f" at line {first.line}" if first.line else ""
    return f"{len(failed)} of {len(records)} failed, first: {first.type}{where}"


def _error(record: Invocation) -> str:
    """'TypeError at line 14' for a failed invocation."""
    if record.error is None:
        return "no error"
    where = f" at line {record.error.line}" if record.error.line else ""
    return f"{record.error.type}{where}"


# -- checking answers ---------------------------------------------------------------------


def _skipped(records: list[Invocation], count: str, doing: str) -> str:
    """'' when every invocation that did not fail counted `count`, else how many did not.

    For example '3 of 15 invocations never queried the database'.
    """
    idle = [r for r in records if r.ok and r.counts.get(count, 0) < 1]
    if not idle:
        return ""
    return f"{len(idle)} of {len(records)} invocations never {doing}"


# -- scenarios ------------------------------------------------------------------------------


def cold_then_warm(lab: Lab) -> Verdict:
    """Module code runs once per container; the handler runs on every invocation."""
    lab.params.put("/app/config", '{"timeout": 30}')
    lab.db.results["select * from users where id = %s"] = [("user-1", "Alice")]
    records = [lab.invoke({"userId": f"user-{n}"}) for n in range(1, 4)]
    first, rest = records[0], records[1:]
    wrong = wrong_answers(
        records,
        lambda r: (
            same(answer(r.result, "user"), r.event["userId"])
            and same(answer(r.result, "rows"), 1)
            and same(answer(r.result, "timeout"), 30)
        ),
        lambda r: f"{r.event['userId']}'s 1 row and timeout 30",
    )
    unqueried = _skipped(records, "db.query", "queried the database")
    good = (
        all(r.ok for r in records)
        and first.cold
        and not any(r.cold for r in rest)
        and lab.db.connects == 1
        and lab.params.reads == 1
        and not wrong
        and not unqueried
    )
    warm_ms = ", ".join(f"{r.duration_ms:g} ms" for r in rest)
    return Verdict(
        good,
        also(
            f"invocation 1 was a cold start of {first.duration_ms:g} ms "
            f"({first.init_ms:g} ms of module code); invocations 2-3 were warm ({warm_ms}); "
            f"{lab.db.connects} connection(s) and {lab.params.reads} parameter read(s) "
            f"for 3 invocations; {_errors(records)}",
            wrong,
            unqueried,
        ),
    )


def config_isolation(lab: Lab) -> Verdict:
    """A per-request override must not change what the next requests see."""
    lab.objects.put("reports/latest.json", '{"rows": 42}')
    size = len(lab.objects.get("reports/latest.json"))
    records = [lab.invoke({"timeout": 5}), lab.invoke({}), lab.invoke({})]
    later = records[1:]
    seen = [answer(r.result, "timeout") if r.ok else None for r in later]

    def own_answer(record: Invocation) -> bool:
        # The first request gets the override it asked for; what the later ones get
        # is `seen` above (5 there is the leak). Each gets the report's size.
        timeout = answer(record.result, "timeout")
        asked = record.number > 1 or same(timeout, record.event["timeout"])
        return asked and same(answer(record.result, "report_bytes"), size)

    wrong = wrong_answers(
        records,
        own_answer,
        lambda r: (
            f"its timeout {r.event['timeout']} and the report's {size} bytes"
            if r.number == 1
            else f"the report's {size} bytes"
        ),
    )
    unread = _skipped(records, "objects.get", "read the report")
    isolated = all(same(timeout, 30) for timeout in seen)
    good = all(r.ok for r in records) and isolated and not wrong and not unread
    containers = len({r.container_id for r in records})
    return Verdict(
        good,
        also(
            f"after one request overrode timeout to 5, the next {len(later)} requests on "
            f"the same warm container got timeout {text_of(seen)} (expected 30 each); {containers} "
            f"container(s), {lab.objects.clients} object-store client(s); "
            f"{_errors(records)}",
            wrong,
            unread,
        ),
    )


def user_isolation(lab: Lab) -> Verdict:
    """No response may carry another user's data, and each must carry its own."""
    users = ["alice", "bob", "carol", "dave", "erin"]
    records = lab.invoke_concurrently([{"userId": "alice"}, {"userId": "bob"}])
    records += [lab.invoke({"userId": user}) for user in users[2:]]
    leaks = []
    for record in records:
        mine = record.event["userId"]
        others = [u for u in users if u != mine and u in text_of(record.result)]
        if others:
            leaks.append(f"{mine}'s response contained {others[0]}'s session")
    burst_leaks = sum(1 for leak in leaks if leak.startswith(("alice's", "bob's")))

    def own_session(record: Invocation) -> bool:
        mine = record.event["userId"]
        sessions = answer(record.result, "sessions")
        return (
            same(answer(record.result, "user"), mine)
            and isinstance(sessions, list | tuple)
            and mine in sessions
        )

    wrong = wrong_answers(
        records, own_session, lambda r: f"{r.event['userId']}'s user id and session"
    )
    answered = all(r.ok for r in records) and not wrong
    good = answered and not leaks
    if leaks:
        observed = (
            f"{leaks[0]} ({len(leaks)} of {len(records)} responses leaked another user's "
            f"data; the {2 - burst_leaks} concurrent first requests ran on separate "
            "containers and did not)"
        )
    elif answered:
        observed = (
            f"each of {len(records)} responses held only its own user's data, on "
            f"{len(lab.all_containers)} containers"
        )
    else:
        observed = (
            f"none of {len(records)} responses carried another user's data, on "
            f"{len(lab.all_containers)} containers"
        )
    return Verdict(good, also(f"{observed}; {_errors(records)}", wrong))


def cache_survives_reset(lab: Lab) -> Verdict:
    """The reset must clear per-request state and keep the cache."""
    records = [lab.invoke({"data": "report-42"}) for _ in range(5)]
    ok = [r for r in records if r.ok]
    misses = sum(1 for r in records if r.duration_ms >= 100)
    work_ms = sum(r.duration_ms for r in records)
    calls = [plain_int(answer(r.result, "calls")) for r in ok]
    counters = sorted({c for c in calls if c is not None})
    wrong = wrong_answers(
        records,
        lambda r: same(answer(r.result, "value"), f"value of {r.event['data']}"),
        lambda r: f"the value 'value of {r.event['data']}'",
    )
    good = len(ok) == 5 and misses == 1 and counters == [1] and not wrong
    return Verdict(
        good,
        also(
            f"5 requests for the same key on one warm container: {misses} cache miss(es), "
            f"{work_ms:g} ms in all; per-request counter seen as {counters}; "
            f"{_errors(records)}",
            wrong,
        ),
    )


def connection_reuse(lab: Lab) -> Verdict:
    """Warm invocations reuse their container's connection."""
    orders = [("order-1",), ("order-2",)]
    lab.db.results["select * from orders where user_id = %s"] = orders
    records = lab.invoke_concurrently([{"userId": f"u{n}"} for n in range(3)])
    records += [lab.invoke({"userId": f"u{n}"}) for n in range(3, 12)]
    records += lab.invoke_concurrently([{"userId": f"u{n}"} for n in range(12, 15)])
    containers = len(lab.all_containers)
    connect_ms = lab.db.connects * lab.settings.connect_ms
    total_ms = sum(r.duration_ms for r in records)
    wrong = wrong_answers(
        records,
        lambda r: same(answer(r.result, "orders"), len(orders)),
        lambda r: f"{r.event['userId']}'s {len(orders)} orders",
    )
    unqueried = _skipped(records, "db.query", "queried the database")
    good = (
        all(r.ok for r in records) and lab.db.connects <= containers and not wrong and not unqueried
    )
    return Verdict(
        good,
        also(
            f"{len(records)} invocations on {containers} containers opened "
            f"{lab.db.connects} connections ({connect_ms:g} of {total_ms:g} ms spent "
            f"connecting); {lab.db.open_connections} stayed open between requests, peak "
            f"{lab.db.peak_open} of the server's limit of {lab.db.max_connections}; "
            f"{_errors(records)}",
            wrong,
            unqueried,
        ),
    )


def parameter_change(lab: Lab) -> Verdict:
    """A changed parameter must reach warm containers within a bounded time."""
    lab.params.put("/app/timeout", "30")
    before = [lab.invoke({}) for _ in range(3)]
    lab.params.put("/app/timeout", "10")
    lab.advance(120)
    after = [lab.invoke({}) for _ in range(3)]
    records = before + after
    stale = [r for r in after if r.ok and same(answer(r.result, "timeout"), 30)]
    # Before the change the answer is 30; after it, 10 (30 is the stale value, counted
    # above). Anything else is a wrong answer.
    wrong = wrong_answers(
        records,
        lambda r: (
            same(answer(r.result, "timeout"), 30)
            or (r.number > len(before) and same(answer(r.result, "timeout"), 10))
        ),
        lambda r: "timeout 30" if r.number <= len(before) else "timeout 10",
    )
    containers = len({r.container_id for r in records})
    good = (
        all(r.ok for r in records) and not stale and not wrong and lab.params.reads < len(records)
    )
    return Verdict(
        good,
        also(
            f"after /app/timeout changed from 30 to 10 and 120 s passed, {len(stale)} of "
            f"{len(after)} requests on the warm container still got 30; "
            f"{lab.params.reads} parameter read(s) in {len(records)} invocations on "
            f"{containers} container(s); {_errors(records)}",
            wrong,
        ),
    )


def first_request_init(lab: Lab) -> Verdict:
    """Initialisation must happen, and be retried, whatever request comes first."""
    lab.params.put("/app/timeout", "30")
    lab.params.fail_next(1)  # the first read of the parameter store is throttled
    records = [lab.invoke({}) for _ in range(4)]
    records += lab.invoke_concurrently([{}, {}, {}])
    first, later = records[0], records[1:]
    failed = [r for r in later if r.error is not None]
    on = sorted({r.container_id for r in failed})
    start = f"invocation 1 failed with {_error(first)}" if first.error else "invocation 1 succeeded"
    rest = (
        f"{len(failed)} of {len(later)} later invocations failed too "
        f"({_error(failed[0])}, on {', '.join(on)})"
        if failed
        else f"all {len(later)} later invocations succeeded"
    )
    wrong = wrong_answers(
        records, lambda r: same(answer(r.result, "timeout"), 30), lambda r: "timeout 30"
    )
    # Invocation 1 may fail only because of the throttled read; later ones never.
    first_ok = first.error is None or first.error.type == "ParameterStoreError"
    # One read was throttled, so a timeout that came from the store needs a second read.
    from_store = lab.params.reads >= 2
    problems = []
    if not failed:
        if not first_ok:
            problems.append("only the throttled parameter read may make invocation 1 fail")
        if not from_store:
            problems.append("no read of /app/timeout succeeded")
    return Verdict(
        not failed and first_ok and from_store and not wrong,
        also(
            f"{start}; {rest}; the parameter was read {lab.params.reads} time(s) "
            f"across {len(lab.all_containers)} container(s)",
            wrong,
            *problems,
        ),
    )


def tmp_growth(lab: Lab) -> Verdict:
    """Sixty warm invocations that each write a 10 MB temp file."""
    records = [lab.invoke({"n": n}) for n in range(60)]
    failed = [r for r in records if r.error is not None]
    peak = max(c.tmp.peak_mb for c in lab.all_containers)
    quota = lab.settings.tmp_quota_mb
    if failed:
        first = failed[0]
        assert first.error is not None
        if first.error.type == "OSError" and "ENOSPC" in first.error.message:
            observed = (
                f"invocation {first.number} failed with {first.error} after "
                f"{first.number - 1} warm invocations left {peak:g} MB in /tmp "
                f"(quota {quota:g} MB); {len(failed)} of 60 failed"
            )
        else:
            observed = (
                f"invocation {first.number} failed with {first.error}; {len(failed)} of "
                f"60 failed; /tmp never held more than {peak:g} MB of its {quota:g} MB"
            )
    else:
        observed = (
            f"60 invocations on {len(lab.all_containers)} container(s) succeeded; /tmp never "
            f"held more than {peak:g} MB of its {quota:g} MB"
        )
    # Each answer is the path of the file that invocation wrote: in /tmp, and not a
    # path another invocation of the same container returned.
    paths = Counter(
        (r.container_id, path)
        for r in records
        if r.ok and isinstance(path := answer(r.result, "report"), str)
    )

    def own_report(record: Invocation) -> bool:
        path = answer(record.result, "report")
        return (
            isinstance(path, str)
            and path.startswith("/tmp/")
            and paths[(record.container_id, path)] == 1
        )

    wrong = wrong_answers(records, own_report, lambda r: "the path of the report it wrote to /tmp")
    unwritten = _skipped(records, "tmp.create", "wrote their report to /tmp")
    return Verdict(not failed and not wrong and not unwritten, also(observed, wrong, unwritten))


def heavy_import_cost(lab: Lab) -> Verdict:
    """A heavy import is paid once per container, not on every invocation."""
    records = [lab.invoke({"id": n}) for n in range(5)]
    imports = lab.counts.get("heavy.import", 0)
    containers = len(lab.all_containers)
    warm = [r.duration_ms for r in records[1:]]
    wrong = wrong_answers(
        records,
        lambda r: same(answer(r.result, "id"), r.event["id"]),
        lambda r: f"the processed record {{'id': {r.event['id']}}}",
    )
    good = all(r.ok for r in records) and imports == containers and max(warm) < 1000 and not wrong
    first = records[0]
    if first.init_ms >= 2000:
        where = "the import in its init phase"
    elif imports:
        where = "the import in its first handler call"
    else:
        where = "no import at all"
    return Verdict(
        good,
        also(
            f"heavy_library was imported {imports} time(s) in {len(records)} invocations on "
            f"{containers} container(s): invocation 1 took {first.duration_ms:g} ms "
            f"({where}), invocations 2-5 took {max(warm):g} ms at most; "
            f"{_errors(records)}",
            wrong,
        ),
    )


def memory_pressure(lab: Lab) -> Verdict:
    """Forty requests for distinct keys, each caching a 5 MB result."""
    records = [lab.invoke({"key": f"k{n}"}) for n in range(40)]
    failed = [r for r in records if r.error is not None]
    peak = max(c.memory.peak_mb for c in lab.all_containers)
    limit = lab.settings.memory_limit_mb
    cached = [n for r in records if (n := plain_int(answer(r.result, "cached"))) is not None]
    if failed:
        first = failed[0]
        if first.error_type == "OutOfMemory":
            previous = records[first.number - 2] if first.number > 1 else None
            before = plain_int(answer(previous.result, "cached")) if previous else 0
            held = "an unknown number of" if before is None else str(before)
            killed = [c for c in lab.all_containers if not c.alive]
            observed = (
                f"invocation {first.number} was killed ({_error(first)}, {peak:g} MB of "
                f"{limit} MB) with {held} results cached; {len(failed)} of 40 invocations "
                f"failed and {len(killed)} container(s) were replaced, each losing its "
                "whole cache"
            )
        else:
            observed = (
                f"invocation {first.number} failed with {_error(first)}; {len(failed)} of "
                f"40 invocations failed; memory peaked at {peak:g} MB of {limit} MB"
            )
    else:
        observed = (
            f"40 invocations succeeded on {len(lab.all_containers)} container(s); memory "
            f"peaked at {peak:g} MB of {limit} MB and the cache never held more than "
            f"{max(cached, default=0)} results"
        )
    # Every key is new, so every invocation must build its 5 MB result and say how
    # many results its cache holds (at least that one).

    def own_key(record: Invocation) -> bool:
        held = plain_int(answer(record.result, "cached"))
        return same(answer(record.result, "key"), record.event["key"]) and (held or 0) >= 1

    wrong = wrong_answers(
        records, own_key, lambda r: f"key {r.event['key']!r} and the number of results cached"
    )
    unbuilt = _skipped(records, "memory.allocate", "built a result for their key")
    return Verdict(not failed and not wrong and not unbuilt, also(observed, wrong, unbuilt))
