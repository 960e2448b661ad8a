from lab import (
    allocate,
    memory_limit_mb,
    memory_used_mb,
    singleton_delete,
    singleton_get,
    singleton_get_or_create,
    singleton_has,
    work,
)

THRESHOLD_MB = 0.8 * memory_limit_mb()


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


def unload_report_manager():
    """Get, reset, delete: in the lab the memory is free at once; the next use rebuilds."""
    if singleton_has("reports"):
        # reset() frees the data even if something else still holds it;
        # delete makes the next get_report_manager() build a new one.
        singleton_get("reports").reset()
        singleton_delete("reports")


def relieve_memory_pressure():
    # Stage 3: cleanup tied to the memory limit.
    if memory_used_mb() > THRESHOLD_MB:
        unload_report_manager()


def handler(event, context):
    relieve_memory_pressure()
    manager = get_report_manager()
    report = manager.report(event["key"])
    return {
        "key": event["key"],
        "size_mb": report.size_mb,
        "cached": manager.cached(),
    }
