from lab import object_store, temp_file

S3 = object_store()
_temp_files = []  # module level: survives warm starts


def handler(event, context):
    key = f"reports/{event['n']}.pdf"
    path = temp_file(size_mb=10)  # the report, rendered to disk
    _temp_files.append(path)  # remembered, never removed
    S3.put(key, path)  # uploaded from the file
    return {"uploaded": key}
