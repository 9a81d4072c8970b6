"""The order's lifecycle: one function per transition, all through ``order_transition``.

``order_transition`` locks the order row, returns quietly if the order is already where the
step leads (a double click or a retried task is harmless), refuses a role the table does not
allow (``NotAllowed``) or a state it does not start from (``InvalidTransition``), stamps the
time, writes the timeline event and tells the other side. Stock and money move in the same
transaction as the status.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import StockMovement
from catalog.services import variants_stock_move
from microstore.errors import DomainError
from microstore.money import quantize
from microstore.notifications import notify
from orders.errors import InvalidTransition, NotAllowed
from orders.models import (
    Action,
    Dispute,
    Order,
    OrderEvent,
    Payment,
    Refund,
    ReturnRequest,
    Role,
    Status,
)
from orders.models.order import TRANSITIONS
from reviews.trust import trust_changed
from shops.selectors import shop_is_member
from shops.services import shop_owners

# What each target state stamps on the order.
STAMPS = {
    Status.PAID: "paid_at",
    Status.SHIPPED: "shipped_at",
    Status.RECEIVED: "received_at",
    Status.COMPLETED: "completed_at",
    Status.CANCELLED: "cancelled_at",
    Status.REFUNDED: "refunded_at",
}


def role_of(order: Order, user) -> Role | None:
    """How ``user`` stands to ``order``: its buyer, a member of its stall, or a moderator."""
    if not user.is_authenticated:
        return None
    if order.buyer_id == user.pk:
        return Role.BUYER
    if shop_is_member(shop=order.shop, user=user):
        return Role.SELLER
    if user.is_staff and user.has_perm("orders.change_order"):
        return Role.PLATFORM
    return None


class SellerLink:
    """A notification target that opens the order on the stall's side."""

    def __init__(self, order: Order):
        self.order = order

    def get_absolute_url(self) -> str:
        return self.order.get_seller_url()


def tell_other_side(
    order: Order, *, role: str, actor, action: str, note: str = "", kind: str = "orders.changed"
) -> None:
    """Notify whoever did not take the step: the seller's people when the buyer acted, the
    buyer when the seller acted, both when the site or a moderator did."""
    context = {
        "number": order.number,
        "shop_name": order.shop.name,
        "action": action,
        "action_label": str(Action(action).label),
        "status_label": str(Status(order.status).label),
        "note": note,
    }
    if role != Role.BUYER:
        notify(recipient=order.buyer, kind=kind, context=context, target=order, actor=actor)
    if role != Role.SELLER:
        for owner in shop_owners(order.shop):
            notify(
                recipient=owner, kind=kind, context=context, target=SellerLink(order), actor=actor
            )


def log_event(
    order: Order, *, action: str, role: str, actor=None, note: str = "", old: str = ""
) -> OrderEvent:
    """A step on the timeline; ``old`` empty means the status did not change."""
    return OrderEvent.objects.create(
        order=order,
        action=action,
        old_status=old or order.status,
        new_status=order.status,
        role=role,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )


def lock(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("shop", "buyer").get(pk=order.pk)


@transaction.atomic
def order_transition(*, order: Order, action: str, role: str, actor=None, note: str = "") -> Order:
    order = lock(order)
    sources, target, roles = TRANSITIONS[action]
    if order.status == target:
        return order
    if role not in roles:
        raise NotAllowed(action)
    if order.status not in sources:
        raise InvalidTransition(order.status, action)
    old = order.status
    now = timezone.now()
    order.status = target
    fields = ["status", "updated_at"]
    stamp = STAMPS.get(target)
    if stamp:
        setattr(order, stamp, now)
        fields.append(stamp)
    if target == Status.SHIPPED:
        order.auto_receive_at = now + timedelta(days=settings.ORDERS_AUTO_RECEIVE_DAYS)
        fields.append("auto_receive_at")
    if target == Status.RECEIVED:
        order.return_until = now + timedelta(days=settings.ORDERS_RETURN_DAYS)
        fields.append("return_until")
    order.save(update_fields=fields)
    log_event(order, action=action, role=role, actor=actor, note=note, old=old)
    tell_other_side(order, role=role, actor=actor, action=action, note=note)
    trust_changed(shop_id=order.shop_id)  # paid, shipped, completed, refunded…: the score's inputs
    return order


def _restock(order: Order, *, actor, reason: str, quantities: dict[int, int] | None = None):
    """Give the order's goods (or ``quantities`` of its lines, by line id) back to stock.
    Lines whose variant was deleted since are skipped."""
    moves: dict[int, int] = {}
    for line in order.lines.all():
        quantity = line.quantity if quantities is None else quantities.get(line.pk, 0)
        if line.variant_id and quantity:
            moves[line.variant_id] = moves.get(line.variant_id, 0) + quantity
    variants_stock_move(moves=moves, actor=actor, reason=reason)


# --- one function per step ---------------------------------------------------------------------


@transaction.atomic
def order_mark_paid(*, order: Order, role: str, actor=None, note: str = "") -> Order:
    """Paid online (role SYSTEM, from the gateway's callback) or confirmed by the seller
    (role SELLER, "pay the seller directly")."""
    action = Action.PAY if role == Role.SYSTEM else Action.CONFIRM_PAYMENT
    return order_transition(order=order, action=action, role=role, actor=actor, note=note)


@transaction.atomic
def order_cancel(*, order: Order, role: str, actor=None, reason: str = "") -> Order:
    """Cancel an unpaid order; its stock returns."""
    locked = lock(order)
    if locked.status == Status.CANCELLED:
        return locked
    if role in (Role.SELLER, Role.PLATFORM) and not reason.strip():
        raise DomainError(_("Say why the order is cancelled: the buyer will read it."))
    order = order_transition(
        order=locked, action=Action.CANCEL, role=role, actor=actor, note=reason.strip()
    )
    _restock(order, actor=actor, reason=StockMovement.Reason.CANCELLED)
    return order


@transaction.atomic
def order_ship(*, order: Order, actor, carrier: str, tracking_number: str) -> Order:
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if not carrier or not tracking_number:
        raise DomainError(
            _("Give the carrier and the tracking number, so the buyer can follow the parcel.")
        )
    locked = lock(order)
    if locked.status == Status.SHIPPED:
        return locked
    if locked.can(Action.SHIP, Role.SELLER):
        locked.carrier, locked.tracking_number = carrier, tracking_number
        locked.save(update_fields=["carrier", "tracking_number", "updated_at"])
    note = _("%(carrier)s, tracking number %(number)s") % {
        "carrier": carrier,
        "number": tracking_number,
    }
    return order_transition(
        order=locked, action=Action.SHIP, role=Role.SELLER, actor=actor, note=note
    )


@transaction.atomic
def order_confirm_receipt(*, order: Order, role: str, actor=None) -> Order:
    """The buyer got the parcel (or, role SYSTEM, the automatic confirmation N days after
    shipping). The 7-day return window starts now."""
    note = ""
    if role == Role.SYSTEM:
        note = _("Confirmed automatically %(days)s days after shipping.") % {
            "days": settings.ORDERS_AUTO_RECEIVE_DAYS
        }
    return order_transition(
        order=order, action=Action.CONFIRM_RECEIPT, role=role, actor=actor, note=note
    )


@transaction.atomic
def order_complete(*, order: Order) -> Order | None:
    """Close a received order once its return window is over and nothing is open on it.
    Returns None (and changes nothing) while a return or a complaint is still open."""
    locked = lock(order)
    if locked.status == Status.COMPLETED:
        return locked
    if locked.return_until and locked.return_until > timezone.now():
        raise DomainError(_("The return window of this order is still open."))
    if locked.returns.filter(status__in=ReturnRequest.ACTIVE).exists():
        return None
    if locked.disputes.filter(status__in=Dispute.ACTIVE).exists():
        return None
    # Both sides hear of it: the buyer's return window is over, the seller's sale is final.
    return order_transition(order=locked, action=Action.COMPLETE, role=Role.SYSTEM)


@transaction.atomic
def order_refund(
    *,
    order: Order,
    amount: Decimal,
    role: str,
    actor=None,
    reason: str = "",
    source: str,
) -> Refund:
    """Give ``amount`` back through the provider the order was paid with.

    The order row is locked first, so parallel refunds queue up and each sees what the one
    before it refunded: the total refunded never exceeds what was paid (and a CHECK
    constraint says so again). Refunding everything makes the order REFUNDED; less leaves
    its status and writes "refunded in part" on the timeline.
    """
    from orders.payments import get_provider

    amount = quantize(amount)
    order = lock(order)
    if amount <= 0:
        raise DomainError(_("A refund must be more than zero."))
    # A fully refunded order falls through to "only ¥0.00 left", the clearer refusal.
    if not order.is_paid and order.status != Status.REFUNDED:
        raise InvalidTransition(order.status, Action.REFUND)
    if role not in TRANSITIONS[Action.REFUND][2]:
        raise NotAllowed(Action.REFUND)
    if amount > order.refundable:
        raise DomainError(
            _("Only ¥%(left)s of this order is left to refund.") % {"left": order.refundable}
        )
    payment = order.payments.filter(status=Payment.Status.PAID).first()
    provider = get_provider(order.payment_method)
    provider_reference = provider.refund(order=order, payment=payment, amount=amount)
    refund = Refund.objects.create(
        order=order,
        payment=payment,
        amount=amount,
        source=source,
        reason=reason,
        provider_reference=provider_reference or "",
        role=role,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    Order.objects.filter(pk=order.pk).update(refunded_total=F("refunded_total") + amount)
    order.refunded_total += amount
    note = _("¥%(amount)s refunded. %(reason)s") % {"amount": amount, "reason": reason}
    if provider.refund_note:
        note = f"{note.strip()} {provider.refund_note}"
    if order.refunded_total == order.total:
        order_transition(
            order=order, action=Action.REFUND, role=role, actor=actor, note=note.strip()
        )
    else:
        log_event(order, action=Action.REFUND_PART, role=role, actor=actor, note=note.strip())
        tell_other_side(order, role=role, actor=actor, action=Action.REFUND_PART, note=note)
    return refund


@transaction.atomic
def order_seller_refund(*, order: Order, actor, reason: str) -> Refund:
    """The seller cannot send a paid order (out of stock, holiday…): everything goes back to
    the buyer, and the goods back to stock."""
    if not reason.strip():
        raise DomainError(_("Say why you cannot send this order: the buyer will read it."))
    order = lock(order)
    if order.status != Status.PAID:
        raise InvalidTransition(order.status, Action.REFUND)
    refund = order_refund(
        order=order,
        amount=order.refundable,
        role=Role.SELLER,
        actor=actor,
        reason=reason.strip(),
        source=Refund.Source.SELLER,
    )
    _restock(order, actor=actor, reason=StockMovement.Reason.CANCELLED)
    return refund
