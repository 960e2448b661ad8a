import gateway  # the handler's only way into the application


def handler(event, context):
    if event["op"] == "put":
        gateway.cache_put(event["key"], event["value"])
        value = event["value"]
    else:
        value = gateway.cache_get(event["key"])
    metrics = gateway.metrics_snapshot()
    return {"key": event["key"], "value": value, "metrics": metrics}
