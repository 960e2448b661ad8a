from lab import connect_db, singleton_get_or_create

SQL = "select price from prices where product = %s"


class PriceManager:
    """Stage 2: the same state, owned by a manager."""

    def __init__(self):
        self._db = None
        self._prices = {}

    def price(self, product):
        if product not in self._prices:
            if self._db is None:
                self._db = connect_db()
            self._prices[product] = self._db.query(SQL, product)[0][0]
        return self._prices[product]

    def reset(self):
        """Back to the starting state: for tests and for unloading."""
        self._prices.clear()
        if self._db is not None:
            self._db.close()
            self._db = None


def get_price_manager():
    # The one way in: created on first use, the same instance afterwards.
    return singleton_get_or_create("prices", PriceManager)


def handler(event, context):
    product = event["product"]
    price = get_price_manager().price(product)
    return {"product": product, "price": price}
