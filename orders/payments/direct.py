""" "Pay the seller directly": a bank transfer, Alipay to the seller's own account or cash on
delivery. Nothing happens online: the buyer reads the stall's payment instructions, and the
seller confirms receipt of the money (``orders.services.payments.payment_confirm_direct``).
Refunds are recorded here and paid back by the seller by hand."""

import uuid

from django.utils.translation import gettext_lazy as _

from orders.models import PaymentMethod
from orders.payments.base import PaymentProvider, register_provider


class DirectProvider(PaymentProvider):
    code = PaymentMethod.DIRECT
    hosted = False
    refund_note = _(
        "The buyer paid the seller directly, so the seller sends this money back by hand."
    )

    def start(self, *, order, request, payment=None):
        return None

    def refund(self, *, order, payment, amount):
        return f"offline-{uuid.uuid4()}"


register_provider(DirectProvider())
