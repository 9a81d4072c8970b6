"""The header's cart count, read from the session (kept by the cart views): no query."""

from orders.services.cart import SESSION_COUNT_KEY


class CartCount:
    def __init__(self, request):
        self._request = request

    @property
    def count(self) -> int:
        session = getattr(self._request, "session", None)
        if session is None:
            return 0
        try:
            return max(0, int(session.get(SESSION_COUNT_KEY, 0)))
        except (TypeError, ValueError):
            return 0


def cart(request) -> dict:
    return {"cart_count": CartCount(request)}
