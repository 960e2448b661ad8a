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

Each verdict names what went wrong, so that a bad claim's `fails` can say which
failure its snippet shows: `wrong-answer`, `skipped-work` and `error:<Type>` are
shared by every scenario (see `sima_lab.answers`); the others are named in each
scenario's docstring.
"""

from collections.abc import Mapping

from sima_lab import Invocation, Lab, Verdict
from sima_lab.answers import (
    answer,
    error_of,
    errors_in,
    failed_with,
    judge,
    plain_int,
    same,
    skipped,
    text_of,
    unexpected_errors,
    wrong_answers,
)

_out_of_memory = failed_with("OutOfMemory")

# -- scenarios ------------------------------------------------------------------------------


def cold_then_warm(lab: Lab) -> Verdict:
    """Module code runs once per container; the handler runs on every invocation.

    Failures: `init-repeated` (the connection or the parameter read happened more
    than once per container), `init-in-handler` (they happened in the handler, not
    in the module code of the cold start), `not-warm` (the later invocations did not
    reuse the container).
    """
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
    containers = len(lab.all_containers)
    in_handler = sum(
        r.handler_counts("db.connect") + r.handler_counts("params.read") for r in records
    )
    warm_ms = ", ".join(f"{r.duration_ms:g} ms" for r in rest)
    return judge(
        f"invocation 1 was a cold start of {first.duration_ms:g} ms "
        f"({first.init_ms:g} ms of module code); invocations 2-3 were "
        f"{'warm' if not any(r.cold for r in rest) else 'not all warm'} ({warm_ms}); "
        f"{lab.db.connects} connection(s) and {lab.params.reads} parameter read(s) "
        f"for 3 invocations; {errors_in(records)}",
        unexpected_errors(records),
        init_repeated=lab.db.connects > containers or lab.params.reads > containers,
        init_in_handler=in_handler
        and f"{in_handler} connection(s) or parameter read(s) happened in the handler",
        not_warm=not first.cold or any(r.cold for r in rest),
        wrong_answer=wrong,
        skipped_work=skipped(records, "db.query", "queried the database"),
    )


def _write_refused(config: object, key: str = "timeout", value: object = 5) -> bool:
    """True when `config[key] = value` raises (tried on the container's own object)."""
    try:
        config[key] = value  # type: ignore[index]
    except Exception:
        return True
    return False


def config_isolation(lab: Lab) -> Verdict:
    """A per-request override must not change what the next requests see.

    After the requests, the scenario also tries to write to the module-level
    configuration itself (any module global mapping that holds `timeout`), as a
    careless later change to the handler would.

    Failures: `config-leak` (a later request got the override), `writable-config`
    (the module-level configuration accepted the write, or there is none),
    `client-per-request` (more object-store clients than containers).
    """
    lab.objects.put("reports/latest.json", '{"rows": 42}')
    size = len(lab.objects.get("reports/latest.json"))
    records = [lab.invoke({"timeout": 5}), lab.invoke({}), lab.invoke({})]
    later = records[1:]
    seen = [answer(r.result, "timeout") if r.ok else None for r in later]

    def own_answer(record: Invocation) -> bool:
        # The first request gets the override it asked for; the later ones 30 (or 5:
        # that is the leak, counted apart). Each gets the report's size.
        timeout = answer(record.result, "timeout")
        if record.number == 1:
            asked = same(timeout, record.event["timeout"])
        else:
            asked = same(timeout, 30) or same(timeout, 5)
        return asked and same(answer(record.result, "report_bytes"), size)

    wrong = wrong_answers(
        records,
        own_answer,
        lambda r: (
            f"its timeout {r.event['timeout']} and the report's {size} bytes"
            if r.number == 1
            else f"timeout 30 and the report's {size} bytes"
        ),
    )
    leaked = [r for r in later if r.ok and same(answer(r.result, "timeout"), 5)]
    namespace = lab.all_containers[0].globals()
    configs = {
        name: value
        for name, value in namespace.items()
        if isinstance(value, Mapping) and "timeout" in value and not name.startswith("__")
    }
    writable = sorted(name for name, value in configs.items() if not _write_refused(value))
    containers = len({r.container_id for r in records})
    if not configs:
        tried = "no module-level configuration holding 'timeout' to write to"
    elif writable:
        tried = f"writing to module-level {', '.join(writable)} succeeded"
    else:
        tried = f"writing to module-level {', '.join(sorted(configs))} was refused"
    return judge(
        f"after one request overrode timeout to 5, the next {len(later)} requests on "
        f"the same warm container got timeout {text_of(seen)} (expected 30 each); {tried}; "
        f"{containers} container(s), {lab.objects.clients} object-store client(s); "
        f"{errors_in(records)}",
        unexpected_errors(records),
        config_leak=bool(leaked),
        writable_config=not configs or bool(writable),
        client_per_request=lab.objects.clients > containers,
        wrong_answer=wrong,
        skipped_work=skipped(records, "objects.get", "read the report"),
    )


def nested_config_isolation(lab: Lab) -> Verdict:
    """A per-request override of a nested setting must not reach the next requests.

    Afterwards the scenario also tries to write to the nested setting through the
    module-level configuration (`CONFIG["retry"]["attempts"] = 9`).

    Failures: `config-leak` (a later request got the override), `writable-config`
    (the nested write was accepted, or there is no such configuration).
    """
    records = [lab.invoke({"attempts": 1}), lab.invoke({}), lab.invoke({})]
    later = records[1:]
    seen = [answer(r.result, "attempts") if r.ok else None for r in later]
    leaked = [r for r in later if r.ok and same(answer(r.result, "attempts"), 1)]
    config = lab.all_containers[0].globals().get("CONFIG")
    try:
        nested = config["retry"] if isinstance(config, Mapping) else None
    except Exception:
        nested = None
    refused = isinstance(nested, Mapping) and _write_refused(nested, "attempts", 9)
    tried = (
        "no module-level CONFIG with a 'retry' setting to write to"
        if not isinstance(nested, Mapping)
        else f"writing CONFIG['retry']['attempts'] was {'refused' if refused else 'accepted'}"
    )
    return judge(
        f"after one request set attempts to 1, the next {len(later)} requests on the same "
        f"warm container got attempts {text_of(seen)} (expected 3 each); {tried}; "
        f"{errors_in(records)}",
        unexpected_errors(records),
        config_leak=bool(leaked),
        writable_config=not refused,
        wrong_answer=wrong_answers(
            [r for r in records if r not in leaked],
            lambda r: same(answer(r.result, "attempts"), 1 if r.number == 1 else 3),
            lambda r: "attempts 1" if r.number == 1 else "attempts 3",
        ),
    )


def user_isolation(lab: Lab) -> Verdict:
    """No response may carry another user's data, and each must carry its own.

    Failures: `session-leak` (a response held another user's session).
    """
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
    if leaks:
        observed = (
            f"{leaks[0]} ({len(leaks)} of {len(records)} responses leaked another user's "
            f"data; the {2 - burst_leaks} concurrent first requests ran on separate "
            "containers and did not)"
        )
    elif all(r.ok for r in records) and not wrong:
        observed = (
            f"each of {len(records)} responses held only its own user's data, on "
            f"{len(lab.all_containers)} containers"
        )
    else:
        observed = (
            f"none of {len(records)} responses carried another user's data, on "
            f"{len(lab.all_containers)} containers"
        )
    return judge(
        f"{observed}; {errors_in(records)}",
        unexpected_errors(records),
        session_leak=bool(leaks),
        wrong_answer=wrong,
    )


def cache_survives_begin_request(lab: Lab) -> Verdict:
    """begin_request() must clear per-request state and keep the cache.

    Failures: `cache-miss` (more than the first of 5 requests for one key missed the
    cache), `request-state-kept` (the per-request counter was not back to 1).
    """
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
    return judge(
        f"5 requests for the same key on one warm container: {misses} cache miss(es), "
        f"{work_ms:g} ms in all; per-request counter seen as {counters}; "
        f"{errors_in(records)}",
        unexpected_errors(records),
        cache_miss=len(ok) == 5 and misses != 1,
        request_state_kept=bool(ok) and counters != [1],
        wrong_answer=wrong,
    )


def connection_reuse(lab: Lab) -> Verdict:
    """Warm invocations reuse their container's connection, opened on first use.

    Failures: `connection-per-invocation` (more connections than containers),
    `eager-connection` (a connection was opened by module code at import, not on
    first use).
    """
    orders = [("order-1",), ("order-2",)]
    lab.db.results["select * from orders where user_id = %s"] = orders
    records = lab.invoke_concurrently([{"userId": f"u{n}"} for n in range(3)])
    records += [lab.invoke({"userId": f"u{n}"}) for n in range(3, 12)]
    records += lab.invoke_concurrently([{"userId": f"u{n}"} for n in range(12, 15)])
    containers = len(lab.all_containers)
    connect_ms = lab.db.connects * lab.settings.connect_ms
    total_ms = sum(r.duration_ms for r in records)
    eager = sum(r.init_counts.get("db.connect", 0) for r in records)
    wrong = wrong_answers(
        records,
        lambda r: same(answer(r.result, "orders"), len(orders)),
        lambda r: f"{r.event['userId']}'s {len(orders)} orders",
    )
    return judge(
        f"{len(records)} invocations on {containers} containers opened "
        f"{lab.db.connects} connections ({connect_ms:g} of {total_ms:g} ms spent "
        f"connecting, {eager} of them at import); {lab.db.open_connections} stayed open "
        f"between requests, peak {lab.db.peak_open} of the server's limit of "
        f"{lab.db.max_connections}; {errors_in(records)}",
        unexpected_errors(records),
        connection_per_invocation=lab.db.connects > containers,
        eager_connection=eager > 0,
        wrong_answer=wrong,
        skipped_work=skipped(records, "db.query", "queried the database"),
    )


def parameter_change(lab: Lab) -> Verdict:
    """A changed parameter must reach warm containers within a minute.

    Failures: `stale-config` (a request 60 s after the change still got the old
    value), `read-every-request` (the parameter was read on every invocation: no
    cache at all).
    """
    lab.params.put("/app/timeout", "30")
    before = [lab.invoke({}) for _ in range(3)]
    lab.params.put("/app/timeout", "10")
    lab.advance(60)
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
    return judge(
        f"after /app/timeout changed from 30 to 10 and 60 s passed, {len(stale)} of "
        f"{len(after)} requests on the warm container still got 30; "
        f"{lab.params.reads} parameter read(s) in {len(records)} invocations on "
        f"{containers} container(s); {errors_in(records)}",
        unexpected_errors(records),
        stale_config=bool(stale),
        read_every_request=lab.params.reads >= len(records),
        wrong_answer=wrong,
    )


def first_request_init(lab: Lab) -> Verdict:
    """Initialisation must happen once per container, and be retried, whatever comes first.

    The first read of the parameter store is throttled: invocation 1 may fail of
    that (`ParameterStoreError`), and nothing else may fail.

    Failures: `init-not-retried` (after the failed first initialisation, later
    invocations on that container failed without reading the parameter again),
    `init-repeated` (a container read the parameter more often than once, plus once
    for the throttled read), `never-initialised` (no read of the parameter succeeded).
    """
    lab.params.put("/app/timeout", "30")
    lab.params.fail_next(1)  # the first read of the parameter store is throttled
    records = [lab.invoke({}) for _ in range(4)]
    records += lab.invoke_concurrently([{}, {}, {}])
    first, later = records[0], records[1:]
    failed = [r for r in later if r.error is not None]
    on = sorted({r.container_id for r in failed})
    start = (
        f"invocation 1 failed with {error_of(first)}" if first.error else "invocation 1 succeeded"
    )
    rest = (
        f"{len(failed)} of {len(later)} later invocations failed too "
        f"({error_of(failed[0])}, on {', '.join(on)})"
        if failed
        else f"all {len(later)} later invocations succeeded"
    )
    wrong = wrong_answers(
        records, lambda r: same(answer(r.result, "timeout"), 30), lambda r: "timeout 30"
    )
    throttled = first.error is not None and first.error.type == "ParameterStoreError"
    not_retried = [
        r
        for r in later
        if throttled
        and r.error is not None
        and r.container_id == first.container_id
        and not r.counts.get("params.read")
    ]
    reads: dict[str, int] = {}
    for record in records:
        reads[record.container_id] = reads.get(record.container_id, 0) + record.counts.get(
            "params.read", 0
        )
    allowed = {c: 1 + (c == first.container_id) for c in reads}
    repeated = sorted(c for c, n in reads.items() if n > allowed[c])
    return judge(
        f"{start}; {rest}; the parameter was read {lab.params.reads} time(s) "
        f"across {len(lab.all_containers)} container(s)"
        + (f" ({', '.join(f'{reads[c]} on {c}' for c in repeated)})" if repeated else ""),
        unexpected_errors(
            records,
            expected=lambda r: (r is first and throttled) or r in not_retried,
        ),
        init_not_retried=bool(not_retried),
        init_repeated=bool(repeated),
        never_initialised=lab.params.reads < 2 and not failed,
        wrong_answer=wrong,
    )


def tmp_growth(lab: Lab) -> Verdict:
    """Sixty warm invocations that each render a 10 MB report in /tmp and upload it.

    Failures: `tmp-full` (a write to /tmp failed with ENOSPC).
    """
    records = [lab.invoke({"n": n}) for n in range(60)]

    def full(record: Invocation) -> bool:
        error = record.error
        return error is not None and error.type == "OSError" and "ENOSPC" in error.message

    failed = [r for r in records if r.error is not None]
    peak = max(c.tmp.peak_mb for c in lab.all_containers)
    quota = lab.settings.tmp_quota_mb
    enospc = [r for r in records if full(r)]
    if enospc:
        first = enospc[0]
        observed = (
            f"invocation {first.number} failed with {first.error} after "
            f"{first.number - 1} warm invocations left {peak:g} MB in /tmp "
            f"(quota {quota:g} MB); {len(failed)} of 60 failed"
        )
    else:
        observed = (
            f"{60 - len(failed)} of 60 invocations on {len(lab.all_containers)} container(s) "
            f"succeeded; /tmp never held more than {peak:g} MB of its {quota:g} MB"
        )
    # Each answer names the report it uploaded, and the object store holds it.
    stored = set(lab.objects.keys())
    wrong = wrong_answers(
        records,
        lambda r: (
            same(answer(r.result, "uploaded"), f"reports/{r.event['n']}.pdf")
            and f"reports/{r.event['n']}.pdf" in stored
        ),
        lambda r: f"the key of the uploaded report, reports/{r.event['n']}.pdf",
    )
    return judge(
        observed,
        unexpected_errors(records, expected=full),
        tmp_full=bool(enospc),
        wrong_answer=wrong,
        skipped_work=skipped(records, "tmp.create", "wrote their report to /tmp"),
    )


def _heavy_imports(lab: Lab) -> tuple[list[Invocation], int, str]:
    records = [lab.invoke({"id": n}) for n in range(5)]
    imports = lab.counts.get("heavy.import", 0)
    first = records[0]
    if first.init_counts.get("heavy.import"):
        where = "the import in its init phase"
    elif first.handler_counts("heavy.import"):
        where = "the import in its first handler call"
    else:
        where = "no import"
    warm = [r.duration_ms for r in records[1:]]
    sentence = (
        f"heavy_library was imported {imports} time(s) in {len(records)} invocations on "
        f"{len(lab.all_containers)} container(s): invocation 1 took {first.duration_ms:g} ms "
        f"({where}), invocations 2-5 took {max(warm):g} ms at most; {errors_in(records)}"
    )
    return records, imports, sentence


def _heavy_import(lab: Lab, *, at_init: bool) -> Verdict:
    records, imports, sentence = _heavy_imports(lab)
    wrong = wrong_answers(
        records,
        lambda r: same(answer(r.result, "id"), r.event["id"]),
        lambda r: f"the processed record {{'id': {r.event['id']}}}",
    )
    first = records[0]
    in_init = first.init_counts.get("heavy.import", 0)
    return judge(
        sentence,
        unexpected_errors(records),
        import_repeated=imports > len(lab.all_containers),
        never_imported=imports == 0,
        import_in_handler=at_init and imports > 0 and not in_init,
        import_at_init=not at_init and in_init > 0,
        wrong_answer=wrong,
    )


def heavy_import_at_init(lab: Lab) -> Verdict:
    """A heavy import at module level is paid once per container, in the cold start.

    Failures: `import-repeated` (more imports than containers), `never-imported`,
    `import-in-handler` (the import happened in a handler call, not in the init
    phase).
    """
    return _heavy_import(lab, at_init=True)


def heavy_import_on_first_call(lab: Lab) -> Verdict:
    """An import inside the handler is paid once per container, by the first call.

    Failures: `import-repeated` (more imports than containers), `never-imported`,
    `import-at-init` (the import happened in the module code, not in the handler).
    """
    return _heavy_import(lab, at_init=False)


def memory_pressure(lab: Lab) -> Verdict:
    """Forty requests for distinct keys, each caching a 5 MB result.

    Failures: `out-of-memory` (an invocation was killed for passing the memory
    limit), `late-clear` (memory went past 80% of the limit by more than one
    result: the cache was cleared later than it says).
    """
    records = [lab.invoke({"key": f"k{n}"}) for n in range(40)]
    failed = [r for r in records if r.error is not None]
    killed_by_memory = [r for r in records if _out_of_memory(r)]
    peak = max(c.memory.peak_mb for c in lab.all_containers)
    limit = lab.settings.memory_limit_mb
    bound = 0.8 * limit + 5
    cached = [n for r in records if (n := plain_int(answer(r.result, "cached"))) is not None]
    if killed_by_memory:
        first = killed_by_memory[0]
        previous = records[first.number - 2] if first.number > 1 else None
        before = plain_int(answer(previous.result, "cached")) if previous else 0
        held = "an unknown number of" if before is None else str(before)
        killed = [c for c in lab.all_containers if not c.alive]
        observed = (
            f"invocation {first.number} was killed ({error_of(first)}, {peak:g} MB of "
            f"{limit} MB) with {held} results cached; {len(failed)} of 40 invocations "
            f"failed and {len(killed)} container(s) were replaced, each losing its "
            "whole cache"
        )
    else:
        observed = (
            f"{40 - len(failed)} of 40 invocations succeeded on {len(lab.all_containers)} "
            f"container(s); memory peaked at {peak:g} MB of {limit} MB (80% and one result "
            f"is {bound:g} MB) and the cache never held more than {max(cached, default=0)} "
            "results"
        )
    # Every key is new, so every invocation must build its 5 MB result and say how
    # many results its cache holds (at least that one).

    def own_key(record: Invocation) -> bool:
        held = plain_int(answer(record.result, "cached"))
        return same(answer(record.result, "key"), record.event["key"]) and (held or 0) >= 1

    return judge(
        observed,
        unexpected_errors(records, expected=_out_of_memory),
        out_of_memory=bool(killed_by_memory),
        late_clear=not killed_by_memory and peak > bound,
        wrong_answer=wrong_answers(
            records, own_key, lambda r: f"key {r.event['key']!r} and the number of results cached"
        ),
        skipped_work=skipped(records, "memory.allocate", "built a result for their key"),
    )
