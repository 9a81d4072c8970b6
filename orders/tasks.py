"""Orders tasks: thin, idempotent, primitive arguments; the work is in ``services``."""

from celery import shared_task
from django.db import OperationalError

from orders.models import PaymentMethod
from orders.payments import sandbox
from orders.services import payments, timers


@shared_task
def cancel_unpaid_orders() -> int:
    """Beat, every minute: unpaid orders past their pay-by time are cancelled."""
    return timers.orders_cancel_unpaid()


@shared_task
def reconcile_payments() -> int:
    """Beat: online payments whose callback has not come are asked about at the gateway."""
    return timers.payments_reconcile_due()


@shared_task
def confirm_receipt_due() -> int:
    """Beat: shipped orders the buyer did not confirm in time are received."""
    return timers.orders_confirm_receipt_due()


@shared_task
def complete_orders_due() -> int:
    """Beat: received orders whose return window closed are completed."""
    return timers.orders_complete_due()


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=300, max_retries=8
)
def sandbox_deliver_callback(*, body: str) -> str:
    """The sandbox gateway delivering one callback server-to-server: it signs the body as it
    sends it (each attempt afresh, as real gateways do) and hands the raw bytes to the same
    function our HTTP callback view calls, so verification is identical."""
    raw = body.encode()
    result = payments.payment_callback_handle(
        provider=PaymentMethod.SANDBOX,
        body=raw,
        headers={sandbox.SIGNATURE_HEADER: sandbox.sign(raw)},
    )
    return result.outcome
