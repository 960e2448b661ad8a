"""Scenarios for LESS-18: each drives the lab and says what it observed.

Every scenario also checks that the handler does its job: each invocation must
answer its own event (the product's current price, the report for its key) and do
the work that answer needs. A handler that returns None, returns something else or
raises is judged bad, with a sentence that says so; it never makes a scenario crash.
"""

from sima_lab import Invocation, Lab, Verdict
from sima_lab.answers import also, answer, plain_int, same, text_of, wrong_answers

SQL = "select price from prices where product = %s"


def _error(record: Invocation) -> str:
    """'OutOfMemory at line 14' for a failed invocation."""
    if record.error is None:
        return "no error"
    where = f" at line {record.error.line}" if record.error.line else ""
    return f"{record.error.type}{where}"


def _errors(records: list[Invocation]) -> str:
    """'2 of 40 failed, first: OutOfMemory at line 14', or 'no errors'."""
    failed = [r for r in records if r.error is not None]
    if not failed:
        return "no errors"
    return f"{len(failed)} of {len(records)} failed, first: {_error(failed[0])}"


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
    containers = len(lab.all_containers)
    good = (
        not problem
        and len(records) == 2 * len(prices)
        and all(r.ok for r in records)
        and not wrong
        and lab.db.queries == len(prices)
    )
    cache = (
        f"each test should query once and serve its second lookup from the cache, "
        f"but {_count(lab.db.queries, 'query', 'queries')} ran for {len(records)} lookups"
        if lab.db.queries > len(prices)
        else ""
    )
    queries = _count(lab.db.queries, "query", "queries")
    return Verdict(
        good,
        also(
            f"{len(records)} lookups in {containers} process(es); before tests "
            f"{_listed(list(range(1, len(resets) + 1)))} the fixture reset "
            f"{_listed(resets)} manager(s); {seen}; {queries} in all; "
            f"{_errors(records)}",
            problem,
            wrong,
            cache,
        ),
    )


def memory_pressure(lab: Lab) -> Verdict:
    """Thirty requests for distinct keys, each keeping a 5 MB report in the manager."""
    records = [lab.invoke({"key": f"k{n}"}) for n in range(30)]
    failed = [r for r in records if r.error is not None]
    peak = max(c.memory.peak_mb for c in lab.all_containers)
    limit = lab.settings.memory_limit_mb
    built = sum(c.singletons.stats()["created"] for c in lab.all_containers)
    deleted = sum(c.singletons.stats()["deleted"] for c in lab.all_containers)
    containers = lab.all_containers
    if failed:
        first = failed[0]
        killed = [c for c in containers if not c.alive]
        cause = first.error.message if first.error and first.error.message else ""
        observed = (
            f"invocation {first.number} was killed ({_error(first)}: {cause}); "
            f"{len(failed)} of 30 invocations failed and {len(killed)} container(s) were "
            f"replaced, each losing its manager; the manager was built {built} time(s) on "
            f"{len(containers)} container(s) and unloaded {deleted} time(s)"
        )
    else:
        observed = (
            f"30 invocations succeeded on {len(containers)} container(s); the manager was "
            f"unloaded {deleted} time(s) under pressure and built {built} time(s) in all "
            f"({built - len(containers)} rebuild(s) on next use); memory peaked at "
            f"{peak:g} MB of {limit} MB"
        )

    def own_report(record: Invocation) -> bool:
        held = plain_int(answer(record.result, "cached"))
        return (
            same(answer(record.result, "key"), record.event["key"])
            and same(answer(record.result, "size_mb"), 5)
            and (held or 0) >= 1
        )

    wrong = wrong_answers(
        records,
        own_report,
        lambda r: f"the 5 MB report for {r.event['key']!r} and the number of reports cached",
    )
    unbuilt = [r for r in records if r.ok and r.counts.get("memory.allocate", 0) < 1]
    idle = f"{len(unbuilt)} of 30 invocations never built their report" if unbuilt else ""
    return Verdict(not failed and not wrong and not idle, also(observed, wrong, idle))
