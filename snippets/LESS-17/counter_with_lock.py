"""The same workers with a lock held from the read to the write."""

import threading
import time

LOCK = threading.Lock()


def add(counter, times):
    """Add 1 to counter["n"], `times` times; another worker may run at a yield."""
    for _ in range(times):
        while not LOCK.acquire(blocking=False):
            yield  # another worker holds the lock: let it finish
        try:
            value = counter["n"]
            yield  # a switch here is harmless now: no one else can write
            counter["n"] = value + 1
        finally:
            LOCK.release()


def run_interleaved(workers):
    """Switch worker at every yield: the worst interleaving, every time."""
    running = list(workers)
    while running:
        for worker in list(running):
            if next(worker, "done") == "done":
                running.remove(worker)


def run_on_threads(workers):
    """A real thread per worker; False where threads cannot start (Pyodide)."""
    threads = [threading.Thread(target=_drain, args=(w,)) for w in workers]
    try:
        for thread in threads:
            thread.start()
    except RuntimeError:  # "can't start new thread"
        return False
    for thread in threads:
        thread.join()
    return True


def _drain(worker):
    for _ in worker:
        time.sleep(0)  # give the other threads the interpreter here


def handler(event, context):
    workers, times = event["workers"], event["times"]
    interleaved = {"n": 0}
    run_interleaved([add(interleaved, times) for _ in range(workers)])
    threaded = {"n": 0}
    started = run_on_threads([add(threaded, times) for _ in range(workers)])
    return {
        "expected": workers * times,
        "interleaved": interleaved["n"],
        "threads": threaded["n"] if started else "cannot start here",
    }
