"""Money: ``Decimal`` only, amounts with two places beside a currency stored once.

Every amount the site computes goes through ``quantize`` before it is stored or shown.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CNY = "CNY"
CENT = Decimal("0.01")


def quantize(value) -> Decimal:
    """``value`` as a ``Decimal`` rounded half-up to the cent. Floats go through ``str`` so
    ``0.1`` is 0.10, not 0.1000000000000000055…; anything unreadable raises ``ValueError``."""
    if isinstance(value, float):
        value = str(value)
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not an amount of money: {value!r}") from exc
