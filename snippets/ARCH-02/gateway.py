"""Gateway layer: the public functions. Each passes the call to its interface."""


def cache_get(key):
    import interface_cache  # imported on first use, then cached by Python

    return interface_cache.get(key)


def cache_put(key, value):
    import interface_cache

    return interface_cache.put(key, value)


def metrics_increment(name):
    import interface_metrics

    return interface_metrics.increment(name)


def metrics_snapshot():
    import interface_metrics

    return interface_metrics.snapshot()
