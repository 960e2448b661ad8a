"""Scenarios for LESS-22: each drives the lab and says what it observed.

A scenario takes a Lab that already holds one snippet's code, runs invocations, and
returns Verdict(good, observed): good when the behaviour it checks is right, and one
sentence with the numbers of the run.
"""

from sima_lab import Invocation, Lab, Verdict


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


def cold_then_warm(lab: Lab) -> Verdict:
    """Module code runs once per container; the handler runs on every invocation."""
    lab.params.put("/app/config", '{"timeout": 30}')
    lab.db.results["select * from users where id = %s"] = [("user-1", "Alice")]
    records = [lab.invoke({"userId": f"user-{n}"}) for n in range(1, 4)]
    first, rest = records[0], records[1:]
    good = (
        all(r.ok for r in records)
        and first.cold
        and not any(r.cold for r in rest)
        and lab.db.connects == 1
        and lab.params.reads == 1
    )
    warm_ms = ", ".join(f"{r.duration_ms:g} ms" for r in rest)
    return Verdict(
        good,
        f"invocation 1 was a cold start of {first.duration_ms:g} ms "
        f"({first.init_ms:g} ms of module code); invocations 2-3 were warm ({warm_ms}); "
        f"{lab.db.connects} connection(s) and {lab.params.reads} parameter read(s) "
        f"for 3 invocations; {_errors(records)}",
    )


def config_isolation(lab: Lab) -> Verdict:
    """A per-request override must not change what the next requests see."""
    lab.objects.put("reports/latest.json", '{"rows": 42}')
    records = [lab.invoke({"timeout": 5}), lab.invoke({}), lab.invoke({})]
    later = records[1:]
    seen = [r.result["timeout"] if r.ok else None for r in later]
    good = all(r.ok for r in records) and seen == [30, 30]
    containers = len({r.container_id for r in records})
    return Verdict(
        good,
        f"after one request overrode timeout to 5, the next {len(later)} requests on the "
        f"same warm container got timeout {seen} (expected 30 each); {containers} "
        f"container(s), {lab.objects.clients} object-store client(s); {_errors(records)}",
    )


def user_isolation(lab: Lab) -> Verdict:
    """No response may carry another user's data."""
    users = ["alice", "bob", "carol", "dave", "erin"]
    records = lab.invoke_concurrently([{"userId": "alice"}, {"userId": "bob"}])
    records += [lab.invoke({"userId": user}) for user in users[2:]]
    leaks = []
    for record in records:
        mine = record.event["userId"]
        others = [u for u in users if u != mine and u in repr(record.result)]
        if others:
            leaks.append(f"{mine}'s response contained {others[0]}'s session")
    burst_leaks = sum(1 for leak in leaks if leak.startswith(("alice's", "bob's")))
    good = all(r.ok for r in records) and not leaks
    if leaks:
        observed = (
            f"{leaks[0]} ({len(leaks)} of {len(records)} responses leaked another user's "
            f"data; the {2 - burst_leaks} concurrent first requests ran on separate "
            "containers and did not)"
        )
    else:
        observed = (
            f"each of {len(records)} responses held only its own user's data, on "
            f"{len(lab.all_containers)} containers"
        )
    return Verdict(good, f"{observed}; {_errors(records)}")


def cache_survives_reset(lab: Lab) -> Verdict:
    """The reset must clear per-request state and keep the cache."""
    records = [lab.invoke({"data": "report-42"}) for _ in range(5)]
    ok = [r for r in records if r.ok]
    misses = sum(1 for r in records if r.duration_ms >= 100)
    work_ms = sum(r.duration_ms for r in records)
    counters = sorted({r.result["calls"] for r in ok})
    good = len(ok) == 5 and misses == 1 and counters == [1]
    return Verdict(
        good,
        f"5 requests for the same key on one warm container: {misses} cache miss(es), "
        f"{work_ms:g} ms in all; per-request counter seen as {counters}; {_errors(records)}",
    )


def connection_reuse(lab: Lab) -> Verdict:
    """Warm invocations reuse their container's connection."""
    lab.db.results["select * from orders where user_id = %s"] = [("order-1",), ("order-2",)]
    records = lab.invoke_concurrently([{"userId": f"u{n}"} for n in range(3)])
    records += [lab.invoke({"userId": f"u{n}"}) for n in range(3, 12)]
    records += lab.invoke_concurrently([{"userId": f"u{n}"} for n in range(12, 15)])
    containers = len(lab.all_containers)
    connect_ms = lab.db.connects * lab.settings.connect_ms
    total_ms = sum(r.duration_ms for r in records)
    good = all(r.ok for r in records) and lab.db.connects <= containers
    return Verdict(
        good,
        f"{len(records)} invocations on {containers} containers opened {lab.db.connects} "
        f"connections ({connect_ms:g} of {total_ms:g} ms spent connecting); "
        f"{lab.db.open_connections} stayed open between requests, peak {lab.db.peak_open} "
        f"of the server's limit of {lab.db.max_connections}; {_errors(records)}",
    )


def parameter_change(lab: Lab) -> Verdict:
    """A changed parameter must reach warm containers within a bounded time."""
    lab.params.put("/app/timeout", "30")
    before = [lab.invoke({}) for _ in range(3)]
    lab.params.put("/app/timeout", "10")
    lab.advance(120)
    after = [lab.invoke({}) for _ in range(3)]
    records = before + after
    stale = [r for r in after if r.ok and r.result["timeout"] != 10]
    containers = len({r.container_id for r in records})
    good = all(r.ok for r in records) and not stale and lab.params.reads < len(records)
    return Verdict(
        good,
        f"after /app/timeout changed from 30 to 10 and 120 s passed, {len(stale)} of "
        f"{len(after)} requests on the warm container still got 30; "
        f"{lab.params.reads} parameter read(s) in {len(records)} invocations on "
        f"{containers} container(s); {_errors(records)}",
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
    return Verdict(
        not failed,
        f"{start}; {rest}; the parameter was read {lab.params.reads} time(s) "
        f"across {len(lab.all_containers)} container(s)",
    )


def tmp_growth(lab: Lab) -> Verdict:
    """Sixty warm invocations that each write a 10 MB temp file."""
    records = [lab.invoke({"n": n}) for n in range(60)]
    failed = [r for r in records if r.error is not None]
    peak = max(c.tmp.peak_mb for c in lab.all_containers)
    if failed:
        first = failed[0]
        observed = (
            f"invocation {first.number} failed with {first.error} after "
            f"{first.number - 1} warm invocations left {peak:g} MB in /tmp "
            f"(quota {lab.settings.tmp_quota_mb:g} MB); {len(failed)} of 60 failed"
        )
    else:
        observed = (
            f"60 invocations on {len(lab.all_containers)} container(s) succeeded; /tmp never "
            f"held more than {peak:g} MB of its {lab.settings.tmp_quota_mb:g} MB"
        )
    return Verdict(not failed, observed)


def heavy_import_cost(lab: Lab) -> Verdict:
    """A heavy import is paid once per container, not on every invocation."""
    records = [lab.invoke({"id": n}) for n in range(5)]
    imports = lab.counts.get("heavy.import", 0)
    containers = len(lab.all_containers)
    warm = [r.duration_ms for r in records[1:]]
    good = all(r.ok for r in records) and imports == containers and max(warm) < 1000
    first = records[0]
    where = "init phase" if first.init_ms >= 2000 else "first handler call"
    return Verdict(
        good,
        f"heavy_library was imported {imports} time(s) in {len(records)} invocations on "
        f"{containers} container(s): invocation 1 took {first.duration_ms:g} ms (the import "
        f"in its {where}), invocations 2-5 took {max(warm):g} ms at most; "
        f"{_errors(records)}",
    )


def memory_pressure(lab: Lab) -> Verdict:
    """Forty requests for distinct keys, each caching a 5 MB result."""
    records = [lab.invoke({"key": f"k{n}"}) for n in range(40)]
    failed = [r for r in records if r.error is not None]
    peak = max(c.memory.peak_mb for c in lab.all_containers)
    limit = lab.settings.memory_limit_mb
    if failed:
        first = failed[0]
        before = records[first.number - 2].result["cached"] if first.number > 1 else 0
        killed = [c for c in lab.all_containers if not c.alive]
        observed = (
            f"invocation {first.number} was killed ({_error(first)}, {peak:g} MB of "
            f"{limit} MB) with {before} results cached; {len(failed)} of 40 invocations "
            f"failed and {len(killed)} container(s) were replaced, each losing its whole cache"
        )
    else:
        largest = max(r.result["cached"] for r in records)
        observed = (
            f"40 invocations succeeded on {len(lab.all_containers)} container(s); memory "
            f"peaked at {peak:g} MB of {limit} MB and the cache never held more than "
            f"{largest} results"
        )
    return Verdict(not failed, observed)
