"""Interface layer: routes each operation to the metrics core."""


def increment(name):
    import core_metrics

    return core_metrics.increment_impl(name)


def snapshot():
    import core_metrics

    return core_metrics.snapshot_impl()
