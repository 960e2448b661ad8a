"""Core layer: the cache's logic, validation, errors and state."""

from lab import singleton_get_or_create


def _entries():  # the core's state, in the singleton registry (INT-09)
    return singleton_get_or_create("cache_entries", dict)


def _checked(key):
    if not isinstance(key, str) or not key:
        raise ValueError(f"cache key must be a non-empty string, not {key!r}")
    return key


def get_impl(key):
    import gateway  # another core's service: back through the gateway

    entries = _entries()
    hit = _checked(key) in entries
    gateway.metrics_increment("cache.hit" if hit else "cache.miss")
    return entries.get(key)


def put_impl(key, value):
    _entries()[_checked(key)] = value
