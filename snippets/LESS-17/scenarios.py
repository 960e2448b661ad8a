"""Scenarios for LESS-17: each drives the lab and says what it observed.

A scenario takes a Lab holding one snippet's code, runs invocations and returns a
verdict naming what went wrong (see each scenario's docstring). Every verdict rests
on facts that are the same on every run and in both runtimes (CPython and Pyodide);
timings, which are not, are only reported in the sentence. Every scenario also
checks that the handler does its job: a handler that returns None, a constant or
something else, or raises, is judged bad with a sentence that says so, and never
makes the scenario crash.
"""

import dataclasses
import math
import sys
import threading
from typing import Any

from sima_lab import Invocation, Lab, Verdict
from sima_lab.answers import answer, errors_in, judge, plain_int, shown, unexpected_errors

# -- helpers ------------------------------------------------------------------------------


def _runtime() -> str:
    """'CPython 3.12' or 'Pyodide (Python 3.14)'."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"Pyodide (Python {version})" if sys.platform == "emscripten" else f"CPython {version}"


# -- one event at a time ------------------------------------------------------------------

#: A stand-in for the `threading` module: locks that never block and only count.
#: `one_event_at_a_time` runs the snippet a second time with it in place of the real
#: module, to see what the locks did.
COUNTING_THREADING = '''\
"""threading, as the lab's second run sees it: locks that count and never block."""

acquired = 0   # acquisitions of any lock
contended = 0  # acquisitions that found the lock held by someone else


class Lock:
    def __init__(self):
        self.depth = 0

    def acquire(self, blocking=True, timeout=-1):
        global acquired, contended
        acquired += 1
        if self.depth and not self._reentrant():
            contended += 1
        self.depth += 1
        return True

    def _reentrant(self):
        return False

    def release(self):
        self.depth = max(0, self.depth - 1)

    def locked(self):
        return self.depth > 0

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
        return False


class RLock(Lock):
    def _reentrant(self):
        return True


Semaphore = BoundedSemaphore = Lock
'''

#: Events sent one after the other, then three at the same moment.
ONE_BY_ONE = [{"route": "/orders"}, {"route": "/users"}, {"route": "/orders"}, {"route": "/orders"}]
AT_ONCE = [{"route": "/orders"}, {"route": "/users"}, {"route": "/orders"}]
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


def _drive(lab: Lab) -> list[Invocation]:
    records = [lab.invoke(dict(event)) for event in ONE_BY_ONE]
    return records + lab.invoke_concurrently([dict(event) for event in AT_ONCE])


def _expected(records: list[Invocation]) -> list[dict[str, Any]]:
    """What each response should say: requests of its route served by its container."""
    served: dict[tuple[str, str], int] = {}
    answers = []
    for record in records:
        key = (record.container_id, record.event["route"])
        served[key] = served.get(key, 0) + 1
        answers.append({"route": record.event["route"], "served_here": served[key]})
    return answers


def _most_at_once(records: list[Invocation]) -> int:
    """The most invocations any one container ran at the same virtual moment."""
    spans = [(r.container_id, r.start_ms, r.start_ms + r.duration_ms) for r in records]
    return max(
        (
            sum(1 for other, start, end in spans if other == where and start < to and since < end)
            or 1
            for where, since, to in spans
        ),
        default=0,
    )


def _states(lab: Lab, skip: set[str]) -> list[dict[str, str]]:
    """Each container's module state (locks and the stand-in module left out)."""
    return [
        {
            name: shown[0]
            for name, shown in container.snapshot().items()
            if name not in skip and not name.startswith("threading.")
        }
        for container in lab.all_containers
    ]


def _lock_names(lab: Lab) -> set[str]:
    names: set[str] = set()
    for container in lab.all_containers:
        for name, value in container.globals().items():
            if isinstance(value, _LOCK_TYPES):
                names.add(name)
    return names


def _counting_rerun(lab: Lab) -> tuple[list[Invocation], Lab]:
    """The same code and events again, with `threading` replaced by COUNTING_THREADING."""
    modules = {name: text for name, text in lab.sources.items() if name != lab.entry}
    modules["threading"] = COUNTING_THREADING
    rerun = Lab(
        lab.sources[lab.entry],
        filename=lab.filename,
        modules=modules,
        entry=lab.entry,
        settings=dataclasses.replace(lab.settings),
    )
    return _drive(rerun), rerun


def _lock_counts(rerun: Lab) -> tuple[int, int]:
    acquired = contended = 0
    for container in rerun.all_containers:
        module = container.globals("threading")
        acquired += plain_int(module.get("acquired")) or 0
        contended += plain_int(module.get("contended")) or 0
    return acquired, contended


def one_event_at_a_time(lab: Lab) -> Verdict:
    """Each container runs one invocation at a time: a lock there is never needed.

    The snippet runs twice: once as written, once with locks that never block and
    only count. The lock is needless when it was never found held and both runs gave
    the same responses and left the same state.

    Failures: `needless-lock` (the code takes a lock that was never found held and
    changed nothing), `lock-mattered` (a lock was found held, or the counting run
    answered differently: then it did more than nothing), `overlap` (a container ran
    two invocations at once).
    """
    records = _drive(lab)
    expected = _expected(records)
    wrong = [
        (r, want) for r, want in zip(records, expected, strict=True) if r.ok and r.result != want
    ]
    containers = len({r.container_id for r in records})
    at_once = _most_at_once(records)
    rerun_records, rerun = _counting_rerun(lab)
    acquired, contended = _lock_counts(rerun)
    skip = _lock_names(lab)
    same = [r.result for r in records] == [r.result for r in rerun_records] and _states(
        lab, skip
    ) == _states(rerun, skip)
    job_done = all(r.ok for r in records) and not wrong
    wrong_text = ""
    if wrong:
        record, want = wrong[0]
        more = f" ({len(wrong)} of {len(records)} responses were wrong)" if len(wrong) > 1 else ""
        wrong_text = (
            f"invocation {record.number} returned {shown(record.result)} instead of "
            f"{shown(want)}{more}"
        )
    observed = (
        f"{len(records)} invocations on {containers} containers, at most {at_once} at a time "
        f"on any one"
    )
    if job_done:
        observed += "; every response counted its own container's requests right"
    if acquired:
        observed += (
            f"; the code took a lock {acquired} times and found it held {contended} times; "
            f"with locks that only count in place of threading's, the {len(records)} "
            f"responses and every container's state were "
            + ("the same: the lock protected nothing" if same else "NOT the same")
        )
    else:
        observed += "; no lock was taken"
    failed = [r for r in records if r.error is not None]
    return judge(
        observed + (f"; {errors_in(records)}" if failed else ""),
        unexpected_errors(records),
        needless_lock=bool(acquired) and not contended and same,
        lock_mattered=bool(acquired) and (bool(contended) or not same),
        overlap=at_once > 1,
        wrong_answer=wrong_text,
    )


# -- what a lock costs --------------------------------------------------------------------

MEASURE = {"writes": 200_000, "repeats": 5}


def lock_cost(lab: Lab) -> Verdict:
    """The snippet measures a lock's time (as a ratio) and size where it runs.

    The verdict rests on what is the same on every run: the handler answered with a
    measurement of the requested size, a positive ratio, and the lock size this very
    interpreter reports (`sys.getsizeof`). The ratio itself changes from run to run
    and machine to machine, so it is reported, never judged.

    Failures: `wrong-size` (the lock size answered is not what this interpreter
    reports), `large-lock` (500 bytes or more, as claimed upstream).
    """
    record = lab.invoke(dict(MEASURE))
    result = record.result
    here = sys.getsizeof(threading.Lock())
    ratio = answer(result, "ratio")
    size = plain_int(answer(result, "lock_bytes"))
    measured = (
        plain_int(answer(result, "writes")) == MEASURE["writes"]
        and plain_int(answer(result, "repeats")) == MEASURE["repeats"]
        and isinstance(ratio, int | float)
        and not isinstance(ratio, bool)
        and math.isfinite(ratio)
        and ratio > 0
    )
    if not record.ok:
        return judge(f"the measurement failed: {errors_in([record])}", unexpected_errors([record]))
    if not measured or size is None:
        return judge(
            f"the handler returned {shown(result)} instead of a measurement of "
            f"{MEASURE['writes']:,} writes x {MEASURE['repeats']} with a positive ratio "
            "and a lock size",
            wrong_answer=True,
        )
    observed = (
        f"on {_runtime()}, {MEASURE['writes']:,} writes under an uncontended lock took "
        f"{ratio:g} times as long as {MEASURE['writes']:,} plain writes (median of "
        f"{MEASURE['repeats']} runs, this machine, this run); sys.getsizeof reports "
        f"{size} bytes per lock"
    )
    if size != here:
        observed += f", but a lock measures {here} bytes here"
    observed += ", not the 500 claimed upstream" if size < 500 else ""
    return judge(observed, wrong_size=size != here, large_lock=size >= 500)


# -- workers that interleave --------------------------------------------------------------

WORKERS = {"workers": 3, "times": 4}


def _threads_can_start() -> bool:
    thread = threading.Thread(target=lambda: None)
    try:
        thread.start()
    except RuntimeError:
        return False
    thread.join()
    return True


def workers_interleave(lab: Lab) -> Verdict:
    """Workers sharing a counter lose updates unless a lock spans read and write.

    Failures: `lost-updates` (the counter ended below the number of updates, under
    the lab's worst interleaving or on real threads).
    """
    record = lab.invoke(dict(WORKERS))
    if not record.ok:
        return judge(f"the handler failed: {errors_in([record])}", unexpected_errors([record]))
    result = record.result
    expected = WORKERS["workers"] * WORKERS["times"]
    interleaved = plain_int(answer(result, "interleaved"))
    threads = answer(result, "threads")
    can_start = _threads_can_start()
    threads_ok = plain_int(threads) is not None if can_start else threads == "cannot start here"
    if plain_int(answer(result, "expected")) != expected or interleaved is None or not threads_ok:
        what = "a thread count" if can_start else "'cannot start here' for threads"
        return judge(
            f"the handler returned {shown(result)} instead of the expected {expected}, "
            f"the interleaved count and {what}",
            wrong_answer=True,
        )
    lost = expected - interleaved
    observed = (
        f"{WORKERS['workers']} workers adding {WORKERS['times']} each, switched at every "
        f"yield, ended at {interleaved} of {expected}" + (f" ({lost} updates lost)" if lost else "")
    )
    if can_start:
        observed += f"; on {WORKERS['workers']} real threads this run: {threads} of {expected}" + (
            "" if threads == expected else " (lost updates)"
        )
    else:
        observed += f"; threads cannot start on {_runtime()}, so only the interleaving ran"
    lost_on_threads = can_start and threads != expected
    return judge(observed, lost_updates=interleaved != expected or lost_on_threads)
