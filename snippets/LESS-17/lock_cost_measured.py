"""What an uncontended lock costs where this runs: time (as a ratio), size."""

import statistics
import sys
import threading
import timeit

PLAIN = "cache['key'] = 1"
LOCKED = "with lock:\n    cache['key'] = 1"


def handler(event, context):
    writes, repeats = event["writes"], event["repeats"]
    names = {"cache": {}, "lock": threading.Lock()}
    plain, locked = [], []
    for _ in range(repeats):  # alternate: a slow moment hits both loops alike
        plain.append(timeit.timeit(PLAIN, globals=names, number=writes))
        locked.append(timeit.timeit(LOCKED, globals=names, number=writes))
    plain_s, locked_s = statistics.median(plain), statistics.median(locked)
    return {
        "lock_bytes": sys.getsizeof(threading.Lock()),
        "ratio": round(locked_s / max(plain_s, 1e-9), 2),  # locked / plain
        "writes": writes,
        "repeats": repeats,
    }
