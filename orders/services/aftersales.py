"""After the sale: 7-day no-reason returns and complaints (disputes).

Each step locks the order row first (so two clicks, or the buyer and the seller at once, queue
up), then the return or complaint it works on. A step that finds its row already where the
step leads returns quietly, so a double submit or a retried request changes nothing; a step
the current state does not allow raises a ``DomainError`` with a message to show. Every step
writes an event on the order's timeline and tells the other side.

Money goes back only through ``lifecycle.order_refund`` (the provider, the refund row, the
"refunded in full / in part" event and the CHECK that nothing is refunded twice).
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from catalog.models import StockMovement
from catalog.services import variants_stock_move
from microstore.errors import DomainError
from microstore.images.models import Purpose
from microstore.images.services import image_create
from microstore.moderation import moderation_done, notify_moderators
from microstore.money import quantize
from microstore.notifications.targets import Link
from orders.models import (
    Action,
    Dispute,
    Order,
    OrderLine,
    Refund,
    ReturnLine,
    ReturnPhoto,
    ReturnRequest,
    Role,
    Status,
)
from orders.models.order import PAID_STATUSES
from orders.services import lifecycle
from reviews.trust import trust_changed

MAX_RETURN_PHOTOS = 6
# Return photos show the seller what the buyer received (their own purpose: own minimum size
# and wording when a photo is too small).
RETURN_PHOTO_PURPOSE = Purpose.RETURN

# A complaint can be opened on an order that was paid for, whatever happened since.
DISPUTE_STATUSES = PAID_STATUSES


def excluded_message() -> str:
    return _(
        "Fresh food and custom-made goods cannot be returned without a reason — open a "
        "complaint if something is wrong."
    )


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


# --- returns: reading the rules --------------------------------------------------------------


def return_blocker(order: Order, *, now=None) -> str:
    """Why the buyer cannot ask to return goods of ``order`` now ("" when they can).

    Reads only the order's own columns; lines (excluded or already returned) are checked by
    ``returnable_quantities``.
    """
    now = now or timezone.now()
    if order.status in (Status.AWAITING_PAYMENT, Status.PAID, Status.SHIPPED):
        return _("You can ask for a return once you have confirmed receipt of the parcel.")
    if order.status in (Status.CANCELLED, Status.REFUNDED):
        return _("This order is %(status)s: there is nothing left to return.") % {
            "status": Status(order.status).label
        }
    if order.return_until is None or order.return_until <= now or order.status != Status.RECEIVED:
        if order.return_until:
            return _("The return window closed on %(date)s.") % {"date": _when(order.return_until)}
        return _("The return window of this order is closed.")
    return ""


def returnable_quantities(lines) -> dict[int, int]:
    """Order line id → how many may still be returned (excluded lines are left out)."""
    return {
        line.pk: line.quantity - line.returned_quantity
        for line in lines
        if not line.returns_excluded and line.quantity > line.returned_quantity
    }


def return_amount(*, order: Order, lines, quantities: dict[int, int]) -> Decimal:
    """What a return of ``quantities`` (order line id → count) gives back.

    The goods: unit price times returned quantity of each chosen line. The shipping fee is
    refunded too, but only when this return brings back everything the order still holds
    (every unit of every line, counting earlier returns): the parcel then went for nothing.
    A partial return keeps the shipping fee, as the rest of the parcel was delivered. The
    amount never exceeds what is left to refund on the order.
    """
    amount = Decimal(0)
    everything = True
    for line in lines:
        quantity = quantities.get(line.pk, 0)
        amount += line.unit_price * quantity
        if line.returned_quantity + quantity < line.quantity:
            everything = False
    if everything:
        amount += order.shipping_fee
    return quantize(min(amount, order.refundable))


# --- returns: the steps ------------------------------------------------------------------------


def _require(order: Order, actor, role: str) -> None:
    if lifecycle.role_of(order, actor) != role:
        raise DomainError(_("You cannot do this on this order."))


def _current_return(order: Order) -> ReturnRequest | None:
    """The order's latest return, locked (the order row is locked already)."""
    return ReturnRequest.objects.select_for_update().filter(order=order).order_by("-pk").first()


def _lines_note(ret: ReturnRequest) -> str:
    return ", ".join(
        f"{rl.quantity} x {rl.order_line.title}"
        + (f" ({rl.order_line.variant_name})" if rl.order_line.variant_name else "")
        for rl in ret.lines.select_related("order_line").order_by("order_line_id")
    )


@transaction.atomic
def return_request(
    *,
    order: Order,
    actor,
    quantities: dict[int, int],
    reason: str = "",
    photos=(),
) -> ReturnRequest:
    """The buyer asks to return ``quantities`` (order line id → count) of a received order
    within the return window, with an optional reason and up to six photos.

    While a return is active on the order, asking again returns that one unchanged (a double
    submit creates nothing).
    """
    order = lifecycle.lock(order)
    _require(order, actor, Role.BUYER)
    current = _current_return(order)
    if current is not None and current.is_active:
        return current
    blocker = return_blocker(order)
    if blocker:
        raise DomainError(blocker)
    lines = list(OrderLine.objects.select_for_update().filter(order=order).order_by("pk"))
    by_id = {line.pk: line for line in lines}
    chosen = {line_id: q for line_id, q in quantities.items() if q}
    if not chosen:
        raise DomainError(_("Choose at least one item to return."))
    allowed = returnable_quantities(lines)
    for line_id, quantity in chosen.items():
        line = by_id.get(line_id)
        if line is None or quantity < 0:
            raise DomainError(_("Choose items of this order to return."))
        if line.returns_excluded:
            raise DomainError(excluded_message())
        if quantity > allowed.get(line_id, 0):
            raise DomainError(
                _("You can return at most %(count)s of “%(title)s”.")
                % {"count": allowed.get(line_id, 0), "title": line.title}
            )
    photos = list(photos)
    if len(photos) > MAX_RETURN_PHOTOS:
        raise DomainError(_("Add at most %(max)s photos to a return.") % {"max": MAX_RETURN_PHOTOS})
    ret = ReturnRequest.objects.create(
        order=order,
        reason=reason.strip(),
        amount=return_amount(order=order, lines=lines, quantities=chosen),
    )
    ReturnLine.objects.bulk_create(
        [
            ReturnLine(request=ret, order_line=by_id[i], quantity=q)
            for i, q in sorted(chosen.items())
        ]
    )
    ReturnPhoto.objects.bulk_create(
        [
            ReturnPhoto(
                request=ret,
                image=image_create(upload=upload, purpose=RETURN_PHOTO_PURPOSE, owner=actor),
                position=position,
            )
            for position, upload in enumerate(photos)
        ]
    )
    note = _lines_note(ret)
    if ret.reason:
        note = f"{note}. {ret.reason}"
    _step(order, action=Action.RETURN_REQUESTED, role=Role.BUYER, actor=actor, note=note)
    return ret


def _step(order: Order, *, action: str, role: str, actor, note: str = "") -> None:
    lifecycle.log_event(order, action=action, role=role, actor=actor, note=note)
    lifecycle.tell_other_side(order, role=role, actor=actor, action=action, note=note)


def _move_return(
    order: Order,
    *,
    actor,
    role: str,
    sources: tuple,
    target: str,
) -> tuple[ReturnRequest | None, bool]:
    """Lock the order and its latest return; (return, True) if the step should go ahead,
    (return, False) if the return is already in ``target`` (nothing to do)."""
    _require(order, actor, role)
    ret = _current_return(order)
    if ret is not None and ret.status == target:
        return ret, False
    if ret is None or ret.status not in sources:
        if ret is None:
            raise DomainError(_("There is no return on this order."))
        raise DomainError(
            _("This return is %(status)s, so this step is not possible now.")
            % {"status": ReturnRequest.Status(ret.status).label}
        )
    return ret, True


@transaction.atomic
def return_accept(*, order: Order, actor) -> ReturnRequest:
    """The seller agrees: the buyer may send the goods back."""
    order = lifecycle.lock(order)
    ret, go = _move_return(
        order,
        actor=actor,
        role=Role.SELLER,
        sources=(ReturnRequest.Status.REQUESTED,),
        target=ReturnRequest.Status.ACCEPTED,
    )
    if go:
        ret.status, ret.decided_at = ReturnRequest.Status.ACCEPTED, timezone.now()
        ret.save(update_fields=["status", "decided_at", "updated_at"])
        _step(order, action=Action.RETURN_ACCEPTED, role=Role.SELLER, actor=actor)
        trust_changed(shop_id=order.shop_id)
    return ret


@transaction.atomic
def return_refuse(*, order: Order, actor, reason: str) -> ReturnRequest:
    """The seller refuses, saying why; the buyer may then open a complaint."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why you refuse the return: the buyer will read it."))
    order = lifecycle.lock(order)
    ret, go = _move_return(
        order,
        actor=actor,
        role=Role.SELLER,
        sources=(ReturnRequest.Status.REQUESTED,),
        target=ReturnRequest.Status.REFUSED,
    )
    if go:
        ret.status, ret.decided_at = ReturnRequest.Status.REFUSED, timezone.now()
        ret.refusal_reason = reason
        ret.save(update_fields=["status", "decided_at", "refusal_reason", "updated_at"])
        _step(order, action=Action.RETURN_REFUSED, role=Role.SELLER, actor=actor, note=reason)
        trust_changed(shop_id=order.shop_id)
    return ret


@transaction.atomic
def return_ship(*, order: Order, actor, carrier: str, tracking_number: str) -> ReturnRequest:
    """The buyer sent the goods back, with the carrier and tracking number."""
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if not carrier or not tracking_number:
        raise DomainError(
            _("Give the carrier and the tracking number, so the seller can follow the parcel.")
        )
    order = lifecycle.lock(order)
    ret, go = _move_return(
        order,
        actor=actor,
        role=Role.BUYER,
        sources=(ReturnRequest.Status.ACCEPTED,),
        target=ReturnRequest.Status.SHIPPED_BACK,
    )
    if go:
        ret.status, ret.shipped_at = ReturnRequest.Status.SHIPPED_BACK, timezone.now()
        ret.carrier, ret.tracking_number = carrier, tracking_number
        ret.save(update_fields=["status", "shipped_at", "carrier", "tracking_number", "updated_at"])
        note = _("%(carrier)s, tracking number %(number)s") % {
            "carrier": carrier,
            "number": tracking_number,
        }
        _step(order, action=Action.RETURN_SHIPPED, role=Role.BUYER, actor=actor, note=note)
    return ret


@transaction.atomic
def return_cancel(*, order: Order, actor) -> ReturnRequest:
    """The buyer withdraws the return, any time before sending the goods back."""
    order = lifecycle.lock(order)
    ret, go = _move_return(
        order,
        actor=actor,
        role=Role.BUYER,
        sources=(ReturnRequest.Status.REQUESTED, ReturnRequest.Status.ACCEPTED),
        target=ReturnRequest.Status.CANCELLED,
    )
    if go:
        ret.status = ReturnRequest.Status.CANCELLED
        ret.save(update_fields=["status", "updated_at"])
        _step(order, action=Action.RETURN_CANCELLED, role=Role.BUYER, actor=actor)
    return ret


@transaction.atomic
def return_receive(*, order: Order, actor, restock: bool) -> ReturnRequest:
    """The seller has the goods back: they count as returned on their lines, go back to
    stock if the seller says so, and the return's amount is refunded through the provider."""
    order = lifecycle.lock(order)
    ret, go = _move_return(
        order,
        actor=actor,
        role=Role.SELLER,
        sources=(ReturnRequest.Status.SHIPPED_BACK,),
        target=ReturnRequest.Status.REFUNDED,
    )
    if not go:
        return ret
    returned = list(ret.lines.select_related("order_line").order_by("order_line_id"))
    for rl in returned:
        OrderLine.objects.filter(pk=rl.order_line_id).update(
            returned_quantity=F("returned_quantity") + rl.quantity
        )
    if restock:
        moves: dict[int, int] = {}
        for rl in returned:
            if rl.order_line.variant_id:
                variant_id = rl.order_line.variant_id
                moves[variant_id] = moves.get(variant_id, 0) + rl.quantity
        variants_stock_move(moves=moves, actor=actor, reason=StockMovement.Reason.RETURN)
    ret.status, ret.refunded_at, ret.restock = (
        ReturnRequest.Status.REFUNDED,
        timezone.now(),
        restock,
    )
    ret.save(update_fields=["status", "refunded_at", "restock", "updated_at"])
    note = _lines_note(ret)
    note = (
        _("%(lines)s, back in stock.") if restock else _("%(lines)s, not put back in stock.")
    ) % {"lines": note}
    lifecycle.log_event(
        order, action=Action.RETURN_RECEIVED, role=Role.SELLER, actor=actor, note=note
    )
    # What is left to refund may have shrunk since the request (a complaint's ruling).
    amount = min(ret.amount, order.refundable)
    if amount > 0:
        lifecycle.order_refund(
            order=order,
            amount=amount,
            role=Role.SELLER,
            actor=actor,
            source=Refund.Source.RETURN,
            reason=_("Return of %(lines)s") % {"lines": _lines_note(ret)},
        )
    else:
        lifecycle.tell_other_side(
            order, role=Role.SELLER, actor=actor, action=Action.RETURN_RECEIVED, note=note
        )
    return ret


# --- complaints --------------------------------------------------------------------------------


def _current_dispute(order: Order) -> Dispute | None:
    return Dispute.objects.select_for_update().filter(order=order).order_by("-pk").first()


def dispute_blocker(order: Order) -> str:
    """Why the buyer cannot open a complaint on ``order`` ("" when they can)."""
    if order.status not in DISPUTE_STATUSES:
        return _("A complaint can be opened once the order is paid.")
    return ""


@transaction.atomic
def dispute_open(*, order: Order, actor, kind: str, statement: str) -> Dispute:
    """The buyer complains; the seller has ``ORDERS_DISPUTE_ANSWER_DAYS`` to answer.
    While a complaint is active, opening another returns that one unchanged."""
    statement = statement.strip()
    if not statement:
        raise DomainError(_("Tell us what happened."))
    if kind not in Dispute.Kind.values:
        raise DomainError(_("Choose what the problem is."))
    order = lifecycle.lock(order)
    _require(order, actor, Role.BUYER)
    current = _current_dispute(order)
    if current is not None and current.is_active:
        return current
    blocker = dispute_blocker(order)
    if blocker:
        raise DomainError(blocker)
    if (
        kind == Dispute.Kind.RETURN_REFUSED
        and not order.returns.filter(status=ReturnRequest.Status.REFUSED).exists()
    ):
        raise DomainError(_("The seller has not refused a return on this order."))
    now = timezone.now()
    dispute = Dispute.objects.create(
        order=order,
        shop_id=order.shop_id,
        kind=kind,
        statement=statement,
        answer_by=now + timedelta(days=settings.ORDERS_DISPUTE_ANSWER_DAYS),
    )
    note = f"{Dispute.Kind(kind).label}: {statement}"
    _step(order, action=Action.DISPUTE_OPENED, role=Role.BUYER, actor=actor, note=note)
    trust_changed(shop_id=order.shop_id)
    return dispute


def _active_dispute(order: Order) -> Dispute:
    dispute = _current_dispute(order)
    if dispute is None:
        raise DomainError(_("There is no complaint on this order."))
    return dispute


@transaction.atomic
def dispute_answer(*, order: Order, actor, answer: str) -> Dispute:
    """The seller gives their side. Answering again changes nothing; an answer still comes
    through after the buyer escalated without one, for microstore to read."""
    answer = answer.strip()
    if not answer:
        raise DomainError(_("Write your answer: the buyer and microstore will read it."))
    order = lifecycle.lock(order)
    _require(order, actor, Role.SELLER)
    dispute = _active_dispute(order)
    if dispute.seller_answer and dispute.status in Dispute.ACTIVE:
        return dispute
    if dispute.status not in (Dispute.Status.OPEN, Dispute.Status.ESCALATED):
        raise DomainError(
            _("This complaint is %(status)s: it cannot be answered now.")
            % {"status": Dispute.Status(dispute.status).label}
        )
    dispute.seller_answer, dispute.answered_at = answer, timezone.now()
    if dispute.status == Dispute.Status.OPEN:
        dispute.status = Dispute.Status.ANSWERED
    dispute.save(update_fields=["seller_answer", "answered_at", "status"])
    _step(order, action=Action.DISPUTE_ANSWERED, role=Role.SELLER, actor=actor, note=answer)
    return dispute


def can_escalate(dispute: Dispute | None, role: str, *, now=None) -> bool:
    """The buyer: once the seller answered, or once the deadline passed without an answer.
    The seller: once they have answered."""
    if dispute is None or dispute.status not in (Dispute.Status.OPEN, Dispute.Status.ANSWERED):
        return False
    now = now or timezone.now()
    if role == Role.BUYER:
        return dispute.status == Dispute.Status.ANSWERED or dispute.answer_by <= now
    if role == Role.SELLER:
        return dispute.status == Dispute.Status.ANSWERED
    return False


@transaction.atomic
def dispute_escalate(*, order: Order, actor, role: str, note: str = "") -> Dispute:
    """Either side asks microstore to decide; the moderators who may decide are told."""
    order = lifecycle.lock(order)
    _require(order, actor, role)
    dispute = _active_dispute(order)
    if dispute.status == Dispute.Status.ESCALATED:
        return dispute
    if not can_escalate(dispute, role):
        if dispute.status not in Dispute.ACTIVE:
            message = _("This complaint is %(status)s: it cannot be escalated.") % {
                "status": Dispute.Status(dispute.status).label
            }
        elif role == Role.BUYER:
            message = _(
                "The seller has until %(date)s to answer; you can ask microstore to decide "
                "after their answer or after that date."
            ) % {"date": _when(dispute.answer_by)}
        else:
            message = _("Answer the complaint first; then you can ask microstore to decide.")
        raise DomainError(message)
    dispute.status, dispute.escalated_at = Dispute.Status.ESCALATED, timezone.now()
    dispute.escalated_by, dispute.escalation_note = role, note.strip()
    dispute.save(update_fields=["status", "escalated_at", "escalated_by", "escalation_note"])
    _step(
        order,
        action=Action.DISPUTE_ESCALATED,
        role=role,
        actor=actor,
        note=note.strip(),
    )
    notify_moderators(
        perm=DISPUTE_PERM,
        kind="moderation.escalated",
        context={
            "number": order.number,
            "shop_name": order.shop.name,
            "complaint": str(Dispute.Kind(dispute.kind).label),
            "role": role,
            "who": str(actor),
            "note": dispute.escalation_note,
        },
        target=_admin_link(dispute),
        actor=actor,
    )
    return dispute


DISPUTE_PERM = "orders.change_dispute"


def _admin_link(dispute: Dispute) -> Link:
    return Link("admin:orders_dispute_change", dispute.pk)


@transaction.atomic
def dispute_withdraw(*, order: Order, actor) -> Dispute:
    """The buyer drops the complaint (before a ruling)."""
    order = lifecycle.lock(order)
    _require(order, actor, Role.BUYER)
    dispute = _active_dispute(order)
    if dispute.status == Dispute.Status.WITHDRAWN:
        return dispute
    if not dispute.is_active:
        raise DomainError(
            _("This complaint is %(status)s: it cannot be withdrawn.")
            % {"status": Dispute.Status(dispute.status).label}
        )
    dispute.status, dispute.resolved_at = Dispute.Status.WITHDRAWN, timezone.now()
    dispute.save(update_fields=["status", "resolved_at"])
    _step(order, action=Action.DISPUTE_WITHDRAWN, role=Role.BUYER, actor=actor)
    trust_changed(shop_id=order.shop_id)
    return dispute


def may_rule(user) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.has_perm("orders.change_dispute"))


@transaction.atomic
def dispute_rule(
    *, dispute: Dispute, actor, outcome: str, reason: str, amount: Decimal | None = None
) -> Dispute:
    """microstore decides: refund in full (what is left to refund), refund ``amount``, or
    reject. The reason is shown to both sides; the ruling is recorded (who, when, why) and
    written on the order's timeline. A complaint is decided once."""
    if not may_rule(actor):
        raise DomainError(_("Only microstore's moderators can decide complaints."))
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give the reason for the ruling: both sides will read it."))
    if outcome not in Dispute.Outcome.values:
        raise DomainError(_("Choose a ruling."))
    order = lifecycle.lock(dispute.order)
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if not dispute.is_active:
        raise DomainError(
            _("This complaint is %(status)s already.")
            % {"status": Dispute.Status(dispute.status).label}
        )
    refund = None
    if outcome == Dispute.Outcome.REFUND_FULL:
        refund = order.refundable
        if refund <= 0:
            raise DomainError(_("Nothing is left to refund on this order."))
    elif outcome == Dispute.Outcome.REFUND_PART:
        if amount is None or quantize(amount) <= 0:
            raise DomainError(_("Give the amount to refund."))
        refund = quantize(amount)
        if refund > order.refundable:
            raise DomainError(
                _("Only ¥%(left)s of this order is left to refund.") % {"left": order.refundable}
            )
    dispute.status, dispute.outcome = Dispute.Status.RESOLVED, outcome
    dispute.ruling_reason, dispute.refund_amount = reason, refund
    dispute.ruled_by, dispute.resolved_at = actor, timezone.now()
    dispute.save(
        update_fields=[
            "status",
            "outcome",
            "ruling_reason",
            "refund_amount",
            "ruled_by",
            "resolved_at",
        ]
    )
    note = f"{Dispute.Outcome(outcome).label}. {reason}"
    lifecycle.log_event(
        order, action=Action.DISPUTE_RESOLVED, role=Role.PLATFORM, actor=actor, note=note
    )
    lifecycle.tell_other_side(
        order, role=Role.PLATFORM, actor=actor, action=Action.DISPUTE_RESOLVED, note=note
    )
    if refund:
        lifecycle.order_refund(
            order=order,
            amount=refund,
            role=Role.PLATFORM,
            actor=actor,
            source=Refund.Source.DISPUTE,
            reason=reason,
        )
    moderation_done(perm=DISPUTE_PERM, kind="moderation.escalated", target=_admin_link(dispute))
    trust_changed(shop_id=order.shop_id)
    return dispute
