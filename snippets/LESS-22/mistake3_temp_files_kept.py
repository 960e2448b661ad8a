from lab import temp_file

_temp_files = []  # module level: survives warm starts


def handler(event, context):
    path = temp_file(size_mb=10)  # e.g. a downloaded report
    _temp_files.append(path)  # remembered, never removed
    return {"report": path, "kept": len(_temp_files)}
