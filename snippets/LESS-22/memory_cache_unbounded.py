from lab import allocate, work

_results = {}  # module-level cache: one entry per key, forever


def handler(event, context):
    key = event["key"]
    if key not in _results:
        work(50)
        _results[key] = allocate(5, label=key)  # a 5 MB result
    return {"key": key, "cached": len(_results)}
