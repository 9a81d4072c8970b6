"""Payment providers behind one small interface (``base.PaymentProvider``).

Orders never talk to a provider directly: they call ``get_provider(order.payment_method)``.
Adding a real gateway means one more module here and one more ``PaymentMethod``.
"""

from orders.payments.base import (
    PaymentProvider,
    get_provider,
    hosted_provider_codes,
    register_provider,
)

__all__ = ["PaymentProvider", "get_provider", "hosted_provider_codes", "register_provider"]
