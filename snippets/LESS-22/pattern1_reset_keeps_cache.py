from lab import singleton_get_or_create, work


class DataManager:
    def __init__(self):
        self._cache = {}  # shared by all requests of this container: keep it
        self._counter = 0  # about the current request only: clear it per request

    def process(self, key):
        self._counter += 1
        if key not in self._cache:
            work(100)  # the expensive lookup the cache saves
            self._cache[key] = f"value of {key}"
        return {"value": self._cache[key], "calls": self._counter}

    def begin_request(self):
        self._counter = 0  # per-request state only; the cache survives


def get_data_manager():
    return singleton_get_or_create("data_manager", DataManager)


def handler(event, context):
    manager = get_data_manager()
    manager.begin_request()
    return manager.process(event["data"])
