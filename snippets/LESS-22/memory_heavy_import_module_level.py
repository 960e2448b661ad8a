import heavy_library  # about 2 s and 50 MB, paid in the cold start's init phase
from lab import work


def handler(event, context):
    work(100)
    return heavy_library.process({"id": event["id"]})
