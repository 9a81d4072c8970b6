"""Paying orders, whatever the provider: starting a payment, the seller confirming money paid
to them directly, the gateway's callbacks (verified, idempotent, safe out of order), and
asking the gateway about payments whose callback never came (``payment_reconcile``).

Providers are reached only through ``orders.payments.get_provider``; everything a provider
does not decide (replays, amounts, the order's state, late money) is here, once.
"""

import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microstore.errors import DomainError
from orders.errors import InvalidTransition, NotAllowed
from orders.models import (
    Action,
    GatewayEvent,
    Order,
    Payment,
    PaymentMethod,
    Refund,
    Role,
    Status,
)
from orders.payments import get_provider
from orders.payments.base import InvalidCallback
from orders.services import lifecycle

logger = logging.getLogger(__name__)

WAITING_CHECK_SECONDS = 5


@transaction.atomic
def payment_start(*, order: Order, actor, request=None, now=None) -> str | None:
    """The buyer wants to pay ``order``: the URL of the provider's hosted page, or None when
    there is nothing to do online (pay the seller directly: the page shows how).

    A hosted provider gets a pending ``Payment``; pressing "Pay now" again reuses it, so the
    gateway sees one payment intent per order and amount.
    """
    now = now or timezone.now()
    order = lifecycle.lock(order)
    if order.buyer_id != getattr(actor, "pk", None):
        raise NotAllowed(Action.PAY)
    if order.status != Status.AWAITING_PAYMENT:
        raise InvalidTransition(order.status, Action.PAY)
    if order.pay_by <= now:
        raise DomainError(
            _("The time to pay this order is over; it will be cancelled and the goods put back.")
        )
    provider = get_provider(order.payment_method)
    payment = None
    if provider.hosted:
        payment = order.payments.filter(
            provider=provider.code, status=Payment.Status.PENDING, amount=order.total
        ).first() or Payment.objects.create(
            order=order, provider=provider.code, amount=order.total, currency=order.currency
        )
    return provider.start(order=order, request=request, payment=payment)


@transaction.atomic
def payment_confirm_direct(*, order: Order, actor) -> Payment:
    """The seller says the buyer's money reached them ("pay the seller directly"): a paid
    ``Payment`` and the order becomes paid. A second click returns the same payment."""
    order = lifecycle.lock(order)
    if lifecycle.role_of(order, actor) != Role.SELLER:
        raise NotAllowed(Action.CONFIRM_PAYMENT)
    if order.payment_method != PaymentMethod.DIRECT:
        raise DomainError(
            _("This order is paid online: the payment gateway confirms it, not the seller.")
        )
    existing = order.payments.filter(status=Payment.Status.PAID).first()
    if existing is not None and order.is_paid:
        return existing
    order = lifecycle.order_mark_paid(order=order, role=Role.SELLER, actor=actor)
    return Payment.objects.create(
        order=order,
        provider=PaymentMethod.DIRECT,
        amount=order.total,
        currency=order.currency,
        status=Payment.Status.PAID,
        paid_at=order.paid_at,
    )


# --- gateway callbacks ------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackResult:
    """What to answer the gateway (``status``) and what happened (``outcome``)."""

    status: int
    outcome: str
    message: str = ""


def payment_callback_handle(*, provider: str, body: bytes, headers, now=None) -> CallbackResult:
    """One server-to-server callback, exactly as received (raw ``body`` and ``headers``).

    The HTTP view and the sandbox's delivery task both call this. Forged, expired or unreadable
    callbacks are refused (400) before anything is written; an unknown reference is 404; a
    callback whose amount or currency differs from the payment is refused (400). Accepted
    callbacks are stored once per (provider, event id): a replay answers 200 and changes
    nothing. Then, under the order's row lock: "failed" fails a pending payment; "succeeded"
    pays the order if it still awaits payment, or, if it closed meanwhile (cancelled by the
    timer, or already paid by another attempt), the money goes straight back through the
    provider and the timeline says so. A "failed" after "succeeded" changes nothing.
    """
    try:
        gateway = get_provider(provider)
    except LookupError:
        return CallbackResult(404, "unknown_provider", "unknown provider")
    try:
        callback = gateway.parse_callback(body=body, headers=headers, now=now)
    except InvalidCallback as exc:
        logger.warning("Refused a %s callback: %s", provider, exc)
        return CallbackResult(400, "rejected", str(exc))
    row = (
        Payment.objects.filter(reference=callback.reference, provider=provider)
        .values("pk", "order_id")
        .first()
    )
    if row is None:
        logger.warning("A %s callback for unknown payment %s", provider, callback.reference)
        return CallbackResult(404, "unknown_reference", "unknown payment reference")
    return _callback_apply(
        gateway=gateway, callback=callback, payment_id=row["pk"], order_id=row["order_id"]
    )


def payment_reconcile(*, payment_id: int) -> CallbackResult | None:
    """Ask the gateway what became of a pending payment whose callback has not come (lost by
    a dead worker or a network, or late) and apply the answer exactly as that callback would
    have been: same verification, same event id (so the callback arriving afterwards is a
    replay), same rules for closed orders. None when the payment is no longer pending, the
    provider has nothing to ask, or the buyer has not decided yet.

    The question goes out before any lock is taken: a slow gateway holds up no order."""
    payment = Payment.objects.filter(pk=payment_id, status=Payment.Status.PENDING).first()
    if payment is None:
        return None
    gateway = get_provider(payment.provider)
    try:
        callback = gateway.query(payment=payment)
    except InvalidCallback as exc:
        logger.warning("Refused the %s answer about %s: %s", gateway.code, payment.reference, exc)
        return None
    if callback is None:
        return None
    if callback.reference != str(payment.reference):
        logger.warning("The %s answer about %s names another payment", gateway.code, payment)
        return None
    return _callback_apply(
        gateway=gateway, callback=callback, payment_id=payment.pk, order_id=payment.order_id
    )


def payment_check_while_waiting(*, payment: Payment) -> bool:
    """The buyer is back from the gateway and waiting: if the payment is still pending, ask
    the gateway (at most once every ``WAITING_CHECK_SECONDS`` per payment, however often the
    page polls). True when the answer settled it: read the payment again."""
    if payment.status != Payment.Status.PENDING:
        return False
    if not cache.add(f"orders:payment-check:{payment.pk}", 1, WAITING_CHECK_SECONDS):
        return False
    return payment_reconcile(payment_id=payment.pk) is not None


@transaction.atomic
def _callback_apply(*, gateway, callback, payment_id: int, order_id: int) -> CallbackResult:
    # Order first, then payment: the same order as every other writer of both.
    order = lifecycle.lock(Order(pk=order_id))
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if callback.amount != payment.amount or callback.currency != payment.currency:
        logger.warning(
            "A %s callback for %s says %s %s, the payment is %s %s",
            gateway.code,
            payment.reference,
            callback.amount,
            callback.currency,
            payment.amount,
            payment.currency,
        )
        return CallbackResult(400, "mismatch", "amount or currency does not match")
    try:
        with transaction.atomic():
            GatewayEvent.objects.create(
                provider=gateway.code,
                event_id=callback.event_id,
                payment=payment,
                kind=callback.kind or ("succeeded" if callback.succeeded else "failed"),
                payload=callback.payload,
            )
    except IntegrityError:
        return CallbackResult(200, "replay", "already received")

    if not callback.succeeded:
        if payment.status == Payment.Status.PENDING:
            payment.status = Payment.Status.FAILED
            payment.save(update_fields=["status"])
            return CallbackResult(200, "failed", "payment failed")
        return CallbackResult(200, "ignored", "payment already settled")

    if payment.status in (Payment.Status.PAID, Payment.Status.REFUNDED):
        return CallbackResult(200, "ignored", "payment already settled")
    payment.provider_reference = callback.transaction_id
    payment.paid_at = timezone.now()
    if order.status == Status.AWAITING_PAYMENT:
        payment.status = Payment.Status.PAID
        payment.save(update_fields=["status", "provider_reference", "paid_at"])
        lifecycle.order_mark_paid(
            order=order,
            role=Role.SYSTEM,
            note=_("Paid online, transaction %(id)s.") % {"id": callback.transaction_id},
        )
        return CallbackResult(200, "paid", "order paid")
    _late_payment_refund(gateway=gateway, order=order, payment=payment)
    return CallbackResult(200, "refunded", "order closed; payment refunded")


def _late_payment_refund(*, gateway, order: Order, payment: Payment) -> Refund:
    """Money the gateway took for an order that no longer awaits it: give it straight back
    through the provider. It never was part of the order's total, so the order's own
    ``refunded_total`` and status stay as they are; the refund row and the timeline tell."""
    payment.status = Payment.Status.REFUNDED
    payment.save(update_fields=["status", "provider_reference", "paid_at"])
    reference = gateway.refund(order=order, payment=payment, amount=payment.amount)
    note = _(
        "¥%(amount)s arrived from the payment gateway after the order was %(status)s. "
        "It was refunded automatically (%(reference)s)."
    ) % {
        "amount": payment.amount,
        "status": Status(order.status).label,
        "reference": reference,
    }
    refund = Refund.objects.create(
        order=order,
        payment=payment,
        amount=payment.amount,
        currency=payment.currency,
        source=Refund.Source.LATE_PAYMENT,
        reason=note,
        provider_reference=reference or "",
        role=Role.SYSTEM,
    )
    lifecycle.log_event(order, action=Action.LATE_PAYMENT_REFUNDED, role=Role.SYSTEM, note=note)
    lifecycle.tell_other_side(
        order, role=Role.SYSTEM, actor=None, action=Action.LATE_PAYMENT_REFUNDED, note=note
    )
    return refund
