"""Scenarios for LESS-18: each drives the lab and says what it observed.

Every scenario also checks that the handler does its job: each invocation must
answer its own event (the product's current price, the report for its key) and do
the work that answer needs. A handler that returns None, returns something else or
raises is judged bad, with a sentence that says so; it never makes a scenario crash.
Each verdict names what went wrong (see each scenario's docstring), so that a bad
claim's `fails` can say which failure its snippet shows.
"""

from itertools import pairwise

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

SQL = "select price from prices where product = %s"

_out_of_memory = failed_with("OutOfMemory")


def _count(n: int, one: str, many: str) -> str:
    """'1 query', '3 queries'."""
    return f"{n} {one if n == 1 else many}"


def _listed(items: list[int]) -> str:
    """'1, 2 and 3'."""
    words = [str(item) for item in items]
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def _reset_managers(lab: Lab) -> tuple[int, str]:
    """The test fixture: call reset() on every manager in each container's registry.

    Runs as the container's own code (so a reset may use the `lab` module), outside
    any invocation. Returns how many managers were reset, and a problem ('' if none).
    """
    total = 0
    for container in lab.containers:
        managers = [item for _, item in container.singletons.items()]

        def reset_all(managers: list[object] = managers) -> int:
            done = 0
            for manager in managers:
                reset = getattr(manager, "reset", None)
                if callable(reset):
                    reset()
                    done += 1
            return done

        run = container.execute("fixture", lab.clock_us, None, reset_all)
        if run.error is not None:
            return total, f"the fixture's reset() failed on {container.id}: {run.error}"
        total += run.result if isinstance(run.result, int) else 0
    return total, ""


# -- scenarios ------------------------------------------------------------------------------


def fresh_state_per_test(lab: Lab) -> Verdict:
    """Three tests run in one process, each with its own price in the database.

    The lab's warm container stands for the test process: the module is imported
    once and every test calls the handler again. Before each test a fixture resets
    every manager it finds in the singleton registry, as an autouse pytest fixture
    would. Each test looks the same product up twice: the first lookup must return
    that test's price, the second must come from the cache (one query per test).
    """
    prices = [3, 5, 7]
    records: list[Invocation] = []
    owner: dict[int, int] = {}
    resets: list[int] = []
    problem = ""
    for price in prices:
        count, problem = _reset_managers(lab)
        resets.append(count)
        if problem:
            break
        lab.db.results[SQL] = [(price,)]
        for _ in range(2):
            record = lab.invoke({"product": "apple"})
            owner[record.number] = price
            records.append(record)

    def own_price(record: Invocation) -> bool:
        return same(answer(record.result, "product"), "apple") and same(
            answer(record.result, "price"), owner[record.number]
        )

    wrong = wrong_answers(records, own_price, lambda r: f"apple at price {owner[r.number]}")
    got = [answer(r.result, "price") if r.ok else None for r in records]
    seen = ", ".join(
        f"test {n + 1} got {text_of(got[2 * n])} and {text_of(got[2 * n + 1])} (expected {price})"
        for n, price in enumerate(prices[: len(records) // 2])
    )
    # A later test answered with an earlier test's price: state survived the fixture.
    stale = [
        r
        for r in records
        if r.ok and any(same(answer(r.result, "price"), p) for p in prices if p < owner[r.number])
    ]
    containers = len(lab.all_containers)
    cache = (
        f"each test should query once and serve its second lookup from the cache, "
        f"but {_count(lab.db.queries, 'query', 'queries')} ran for {len(records)} lookups"
        if lab.db.queries > len(prices)
        else ""
    )
    queries = _count(lab.db.queries, "query", "queries")
    return judge(
        f"{len(records)} lookups in {containers} process(es); before tests "
        f"{_listed(list(range(1, len(resets) + 1)))} the fixture reset "
        f"{_listed(resets)} manager(s); {seen}; {queries} in all; "
        f"{errors_in(records)}",
        unexpected_errors(records),
        fixture_failed=problem,
        stale_state=bool(stale),
        cache_unused=cache,
        wrong_answer=not stale and wrong,
        skipped_work=skipped(records, "db.query", "looked the price up")
        if lab.db.queries == 0
        else "",
    )


def memory_pressure(lab: Lab) -> Verdict:
    """Thirty requests for distinct keys, each keeping a 5 MB report in the manager.

    After each invocation the scenario keeps a reference to every manager in the
    registry, as a request still in flight or a log record would: deleting a manager
    from the registry then frees nothing, and only its reset() releases the reports.

    Failures: `out-of-memory` (an invocation was killed for passing the limit),
    `never-unloaded` (no manager was ever deleted from the registry), `not-reset`
    (a manager was deleted without reset(), so its memory stayed in use),
    `never-rebuilt` (after an unload no new manager was built), `late-clear`
    (memory went past 80% of the limit by more than one report).
    """
    held: list[object] = []
    records: list[Invocation] = []
    for n in range(30):
        records.append(lab.invoke({"key": f"k{n}"}))
        held.extend(item for c in lab.containers for _, item in c.singletons.items())
    killed_by_memory = [r for r in records if _out_of_memory(r)]
    failed = [r for r in records if r.error is not None]
    peak = max(c.memory.peak_mb for c in lab.all_containers)
    limit = lab.settings.memory_limit_mb
    bound = 0.8 * limit + 5
    built = sum(c.singletons.stats()["created"] for c in lab.all_containers)
    deleted = sum(c.singletons.stats()["deleted"] for c in lab.all_containers)
    # An unload that reset the manager left less memory in use than before it.
    unloads = [
        (before, after)
        for before, after in pairwise(records)
        if after.counts.get("singleton.delete") and after.container_id == before.container_id
    ]
    unfreed = [after for before, after in unloads if after.memory_mb >= before.memory_mb]
    containers = lab.all_containers
    if killed_by_memory:
        first = killed_by_memory[0]
        killed = [c for c in containers if not c.alive]
        cause = first.error.message if first.error and first.error.message else ""
        observed = (
            f"invocation {first.number} was killed ({error_of(first)}: {cause}); "
            f"{len(failed)} of 30 invocations failed and {len(killed)} container(s) were "
            f"replaced, each losing its manager; the manager was built {built} time(s) on "
            f"{len(containers)} container(s) and unloaded {deleted} time(s)"
        )
    else:
        observed = (
            f"{30 - len(failed)} of 30 invocations succeeded on {len(containers)} "
            f"container(s); the manager was unloaded {deleted} time(s) under pressure and "
            f"built {built} time(s) in all ({built - len(containers)} rebuild(s) on next "
            f"use); memory peaked at {peak:g} MB of {limit} MB (80% and one report is "
            f"{bound:g} MB)"
        )

    def own_report(record: Invocation) -> bool:
        cached = plain_int(answer(record.result, "cached"))
        return (
            same(answer(record.result, "key"), record.event["key"])
            and same(answer(record.result, "size_mb"), 5)
            and (cached or 0) >= 1
        )

    return judge(
        observed,
        unexpected_errors(records, expected=_out_of_memory),
        out_of_memory=bool(killed_by_memory),
        never_unloaded=not killed_by_memory and deleted == 0,
        not_reset=bool(unfreed)
        and f"{len(unfreed)} of {len(unloads)} unload(s) freed no memory (first in invocation "
        f"{unfreed[0].number}): the manager was deleted without reset()",
        never_rebuilt=deleted > 0 and built <= len(containers),
        late_clear=not killed_by_memory and peak > bound,
        wrong_answer=wrong_answers(
            records,
            own_report,
            lambda r: f"the 5 MB report for {r.event['key']!r} and the number of reports cached",
        ),
        skipped_work=skipped(records, "memory.allocate", "built their report"),
    )
