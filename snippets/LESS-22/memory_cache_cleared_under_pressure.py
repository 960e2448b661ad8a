from lab import allocate, memory_limit_mb, memory_used_mb, work

THRESHOLD_MB = 0.8 * memory_limit_mb()
_results = {}  # module-level cache, dropped when memory runs short


def handler(event, context):
    if memory_used_mb() > THRESHOLD_MB:
        _results.clear()  # in the lab, frees the memory at once; rebuilt on demand
    key = event["key"]
    if key not in _results:
        work(50)
        _results[key] = allocate(5, label=key)  # a 5 MB result
    return {"key": key, "cached": len(_results)}
