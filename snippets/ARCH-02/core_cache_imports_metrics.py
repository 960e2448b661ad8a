"""Core layer: the cache, reaching into the metrics core directly."""

import core_metrics  # one core importing another: skips the gateway

from lab import singleton_get_or_create


def _entries():
    return singleton_get_or_create("cache_entries", dict)


def _checked(key):
    if not isinstance(key, str) or not key:
        raise ValueError(f"cache key must be a non-empty string, not {key!r}")
    return key


def get_impl(key):
    entries = _entries()
    hit = _checked(key) in entries
    core_metrics.increment_impl("cache.hit" if hit else "cache.miss")
    return entries.get(key)


def put_impl(key, value):
    _entries()[_checked(key)] = value
