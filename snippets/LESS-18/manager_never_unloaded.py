from lab import allocate, singleton_get_or_create, work


class ReportManager:
    def __init__(self):
        work(100)
        # A 20 MB index, loaded by every new manager.
        self._index = allocate(20, label="index")
        self._reports = {}

    def report(self, key):
        if key not in self._reports:
            work(50)
            # A 5 MB report, kept for the next request.
            self._reports[key] = allocate(5, label=key)
        return self._reports[key]

    def cached(self):
        return len(self._reports)

    def reset(self):
        self._reports.clear()
        self._index = None


def get_report_manager():
    return singleton_get_or_create("reports", ReportManager)


def handler(event, context):
    # Stage 2: a singleton that lives as long as its container.
    manager = get_report_manager()
    report = manager.report(event["key"])
    return {
        "key": event["key"],
        "size_mb": report.size_mb,
        "cached": manager.cached(),
    }
