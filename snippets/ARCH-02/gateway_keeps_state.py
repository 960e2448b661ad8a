"""Gateway layer with logic and state of its own: a memo in front of the cache."""

_recent = {}  # state outside the core: the core's updates never reach it


def cache_get(key):
    if key in _recent:  # logic in the gateway: answers without asking the core
        return _recent[key]
    import interface_cache

    _recent[key] = interface_cache.get(key)
    return _recent[key]


def cache_put(key, value):
    import interface_cache

    return interface_cache.put(key, value)


def metrics_increment(name):
    import interface_metrics

    return interface_metrics.increment(name)


def metrics_snapshot():
    import interface_metrics

    return interface_metrics.snapshot()
