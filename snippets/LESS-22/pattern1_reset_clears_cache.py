from lab import singleton_get_or_create, work


class DataManager:
    def __init__(self):
        self._cache = {}
        self._counter = 0

    def process(self, key):
        self._counter += 1
        if key not in self._cache:
            work(100)  # the expensive lookup the cache should save
            self._cache[key] = f"value of {key}"
        return {"value": self._cache[key], "calls": self._counter}

    def begin_request(self):
        self._cache.clear()  # throws the cache away on every request
        self._counter = 0


def get_data_manager():
    return singleton_get_or_create("data_manager", DataManager)


def handler(event, context):
    manager = get_data_manager()
    manager.begin_request()
    return manager.process(event["data"])
