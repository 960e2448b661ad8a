from lab import temporary_file


def handler(event, context):
    with temporary_file(size_mb=10) as path:  # removed when the block ends
        return {"report": path}
