from lab import connect_db

SQL = "select price from prices where product = %s"

# Stage 1: plain module globals. They last as long as the process,
# and nothing a test can call puts them back to their starting state.
_db = None
_prices = {}


def lookup_price(product):
    global _db
    if product not in _prices:
        if _db is None:
            _db = connect_db()
        _prices[product] = _db.query(SQL, product)[0][0]
    return _prices[product]


def handler(event, context):
    product = event["product"]
    return {"product": product, "price": lookup_price(product)}
