"""Core layer: counters, kept in the singleton registry."""

from lab import singleton_get_or_create


def _counters():
    return singleton_get_or_create("metric_counters", dict)


def increment_impl(name):
    counters = _counters()
    counters[name] = counters.get(name, 0) + 1


def snapshot_impl():
    return dict(_counters())
