"""Interface layer: routes each operation to the cache core, nothing more."""


def get(key):
    import core_cache  # imported on first use, then cached by Python

    return core_cache.get_impl(key)


def put(key, value):
    import core_cache

    return core_cache.put_impl(key, value)
