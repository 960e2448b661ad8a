from lab import work


def handler(event, context):
    import heavy_library  # the first call in a container pays 2 s; later calls find it cached

    work(100)
    return heavy_library.process({"id": event["id"]})
