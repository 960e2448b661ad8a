from lab import object_store, temporary_file

S3 = object_store()


def handler(event, context):
    key = f"reports/{event['n']}.pdf"
    with temporary_file(size_mb=10) as path:  # removed when the block ends
        S3.put(key, path)  # uploaded while the file exists
    return {"uploaded": key}
