"""What beat runs: orders whose time is up move on by themselves.

- pending online payments whose callback has not come are asked about at the gateway
  (``payment_reconcile``): money that arrived pays its order instead of being lost;
- unpaid orders past ``pay_by`` are cancelled and their stock returns (their gateway is asked
  first, so a payment whose callback was lost pays the order rather than being refunded);
- shipped orders past ``auto_receive_at`` are received (the buyer did not confirm);
- received orders past ``return_until`` are completed, unless a return or complaint is open.

Each batch selects ids through the (status, time) index, then handles one order per
transaction: the row is locked with SKIP LOCKED and the condition checked again, so two runs
at once never do the same order twice, and a second run changes nothing. ``now`` may be given
(tests move time with it).
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from microstore.errors import DomainError
from orders.models import Dispute, Order, Payment, ReturnRequest, Role, Status
from orders.payments import hosted_provider_codes
from orders.services import lifecycle, payments

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# A callback normally arrives within seconds; after this the gateway is asked, for as long as
# a buyer could still pay (the longest pay-by time, with a margin).
RECONCILE_AFTER = timedelta(minutes=2)
RECONCILE_FOR = timedelta(days=4)


def _open_aftersales() -> Q:
    return Q(returns__status__in=ReturnRequest.ACTIVE) | Q(disputes__status__in=Dispute.ACTIVE)


def _each_due(
    *, due: Q, order_by: str, step: Callable[[Order], object], limit: int, exclude: Q | None = None
) -> int:
    """Run ``step`` on every order matching ``due``, one transaction each; the number done."""
    candidates = Order.objects.filter(due)
    if exclude is not None:
        candidates = candidates.exclude(exclude)
    ids = list(candidates.order_by(order_by, "pk").values_list("pk", flat=True)[:limit])
    done = 0
    for pk in ids:
        try:
            with transaction.atomic():
                order = (
                    Order.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(due, pk=pk)
                    .first()
                )
                if order is None:  # handled by a parallel run, or changed meanwhile
                    continue
                if step(order) is not None:
                    done += 1
        except DomainError as exc:
            logger.warning("Timer skipped order %s: %s", pk, exc.message)
    return done


def _reconcile(payment_ids) -> int:
    """Ask the gateway about each payment; the number whose state changed."""
    changed = 0
    for pk in payment_ids:
        try:
            result = payments.payment_reconcile(payment_id=pk)
        except DomainError as exc:
            logger.warning("Reconciling payment %s failed: %s", pk, exc.message)
            continue
        if result is not None and result.outcome in ("paid", "failed", "refunded"):
            changed += 1
    return changed


def payments_reconcile_due(*, now=None, limit: int = BATCH_SIZE) -> int:
    """Ask the gateway about online payments still pending ``RECONCILE_AFTER`` after they
    began (their callback is lost or late); the number settled by the answers."""
    now = now or timezone.now()
    due = Payment.objects.filter(
        status=Payment.Status.PENDING,
        provider__in=hosted_provider_codes(),
        created_at__lte=now - RECONCILE_AFTER,
        created_at__gte=now - RECONCILE_FOR,
    )
    return _reconcile(due.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])


def orders_cancel_unpaid(*, now=None, limit: int = BATCH_SIZE) -> int:
    """Cancel orders not paid by their ``pay_by``; their goods go back on sale. Their pending
    online payments are asked about first: paid at the gateway means paid, not cancelled."""
    now = now or timezone.now()
    _reconcile(
        Payment.objects.filter(
            status=Payment.Status.PENDING,
            provider__in=hosted_provider_codes(),
            order__status=Status.AWAITING_PAYMENT,
            order__pay_by__lte=now,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    reason = _("Not paid in time: cancelled automatically, and the goods went back on sale.")
    return _each_due(
        due=Q(status=Status.AWAITING_PAYMENT, pay_by__lte=now),
        order_by="pay_by",
        step=lambda order: lifecycle.order_cancel(order=order, role=Role.SYSTEM, reason=reason),
        limit=limit,
    )


def orders_confirm_receipt_due(*, now=None, limit: int = BATCH_SIZE) -> int:
    """Confirm receipt for buyers who did not, ``ORDERS_AUTO_RECEIVE_DAYS`` after shipping.
    Not while a complaint is open (a buyer saying "not received" must not be overruled)."""
    now = now or timezone.now()
    return _each_due(
        due=Q(status=Status.SHIPPED, auto_receive_at__lte=now),
        order_by="auto_receive_at",
        step=lambda order: lifecycle.order_confirm_receipt(order=order, role=Role.SYSTEM),
        limit=limit,
        exclude=Q(disputes__status__in=Dispute.ACTIVE),
    )


def orders_complete_due(*, now=None, limit: int = BATCH_SIZE) -> int:
    """Complete received orders whose return window closed and that have nothing open."""
    now = now or timezone.now()
    return _each_due(
        due=Q(status=Status.RECEIVED, return_until__lte=now),
        order_by="return_until",
        step=lambda order: lifecycle.order_complete(order=order),
        limit=limit,
        exclude=_open_aftersales(),
    )
