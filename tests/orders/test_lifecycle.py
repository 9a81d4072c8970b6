"""The order's lifecycle through its services: the whole transition table (every state, by
every status-changing action, by every role), repeats, the timeline, notifications to the
other side, stock back on cancel, and refund maths."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from catalog.models import Variant
from microstore.errors import DomainError
from microstore.notifications.models import Notification, OutgoingEmail
from orders.errors import InvalidTransition, NotAllowed
from orders.models import Action, Order, OrderEvent, Refund, Role, Status
from orders.models.order import TRANSITIONS
from orders.services import lifecycle
from tests.orders.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors(buyer, owner, admin_user):
    return {Role.BUYER: buyer, Role.SELLER: owner, Role.PLATFORM: admin_user, Role.SYSTEM: None}


def take(action: str, order: Order, role: str, actor):
    """The service a person in ``role`` would reach for to take ``action``; where the named
    service fixes the role itself (shipping is the seller's, completing the site's), the
    other roles go through ``order_transition``, the one function every step uses."""
    if action == Action.CANCEL:
        return lifecycle.order_cancel(order=order, role=role, actor=actor, reason="Sold out.")
    if action == Action.SHIP and role == Role.SELLER:
        return lifecycle.order_ship(
            order=order, actor=actor, carrier="SF Express", tracking_number="SF1"
        )
    if action == Action.CONFIRM_RECEIPT:
        return lifecycle.order_confirm_receipt(order=order, role=role, actor=actor)
    if action == Action.COMPLETE and role == Role.SYSTEM:
        return lifecycle.order_complete(order=order)
    if action == Action.REFUND:
        return lifecycle.order_refund(
            order=order,
            amount=order.total,
            role=role,
            actor=actor,
            reason="Ruling.",
            source=Refund.Source.DISPUTE,
        )
    if (action == Action.PAY and role == Role.SYSTEM) or (
        action == Action.CONFIRM_PAYMENT and role != Role.SYSTEM
    ):
        return lifecycle.order_mark_paid(order=order, role=role, actor=actor)
    return lifecycle.order_transition(order=order, action=action, role=role, actor=actor)


def snapshot(order: Order, variant: Variant) -> dict:
    order = Order.objects.get(pk=order.pk)
    return {
        "status": order.status,
        "events": OrderEvent.objects.filter(order=order).count(),
        "stock": Variant.objects.get(pk=variant.pk).stock,
        "refunded": order.refunded_total,
        "refunds": Refund.objects.filter(order=order).count(),
        "notifications": Notification.objects.count(),
        "stamps": (order.paid_at, order.shipped_at, order.received_at, order.cancelled_at),
        "tracking": (order.carrier, order.tracking_number),
    }


@pytest.mark.parametrize("status", list(Status))
def test_every_action_by_every_role_is_taken_or_cleanly_refused(
    status, actors, buyer, variant, django_capture_on_commit_callbacks
):
    # Given an order in ``status`` whose return window (if any) is over
    long_ago = timezone.now() - timedelta(days=60)
    outcomes = {}
    for action, (sources, target, roles) in TRANSITIONS.items():
        for role in Role:
            order = make_order(
                buyer=buyer, variants=[variant], quantities=[2], status=status, at=long_ago
            )
            before = snapshot(order, variant)
            allowed = status in sources and role in roles
            # When someone in ``role`` takes ``action``
            try:
                with django_capture_on_commit_callbacks():
                    take(action, order, role, actors[role])
            except DomainError as exc:
                refused = exc
            else:
                refused = None
            after = snapshot(order, variant)
            case = (status, action, role)
            if allowed:
                # Then a step the table allows lands in its target, on the timeline
                assert refused is None, case
                assert after["status"] == target, case
                event = OrderEvent.objects.filter(order=order).latest("pk")
                assert (event.action, event.role, event.old_status, event.new_status) == (
                    action,
                    role,
                    status,
                    target,
                ), case
                assert after["notifications"] > before["notifications"], case
            else:
                # and any other one changes nothing at all: a retry of a step already taken
                # passes quietly, the rest are refused with a message fit to show
                assert after == before, case
                if status != target:
                    assert isinstance(refused, (InvalidTransition, NotAllowed)), case
                if refused is not None:
                    assert str(refused.message), case
            outcomes[case] = "taken" if allowed else ("quiet" if refused is None else "refused")
    assert len(outcomes) == len(TRANSITIONS) * len(Role)


def test_the_table_has_a_way_out_of_every_open_state():
    reachable = {target for _s, target, _r in TRANSITIONS.values()}
    assert reachable == set(Status) - {Status.AWAITING_PAYMENT}
    for status in (Status.AWAITING_PAYMENT, Status.PAID, Status.SHIPPED, Status.RECEIVED):
        assert any(status in sources for sources, _t, _r in TRANSITIONS.values()), status


# --- repeats, the timeline, the other side ----------------------------------------------------


def test_a_repeated_step_is_harmless(buyer, owner, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.PAID)
    for _ in range(2):
        lifecycle.order_ship(order=order, actor=owner, carrier="SF", tracking_number="SF1")
    for _ in range(2):
        lifecycle.order_confirm_receipt(order=order, role=Role.BUYER, actor=buyer)
    assert list(
        OrderEvent.objects.filter(order=order).values_list("action", flat=True).order_by("pk")
    ) == [Action.SHIP, Action.CONFIRM_RECEIPT]
    order.refresh_from_db()
    assert order.status == Status.RECEIVED


def test_a_repeated_cancel_gives_the_stock_back_once(buyer, variant):
    Variant.objects.filter(pk=variant.pk).update(stock=7)
    order = make_order(buyer=buyer, variants=[variant], quantities=[3], status="awaiting_payment")
    lifecycle.order_cancel(order=order, role=Role.BUYER, actor=buyer)
    lifecycle.order_cancel(order=order, role=Role.BUYER, actor=buyer)
    assert Variant.objects.get(pk=variant.pk).stock == 10
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_a_seller_must_say_why_they_cancel(owner, variant):
    order = make_order(variants=[variant], status=Status.AWAITING_PAYMENT)
    with pytest.raises(DomainError):
        lifecycle.order_cancel(order=order, role=Role.SELLER, actor=owner, reason="  ")
    assert Order.objects.get(pk=order.pk).status == Status.AWAITING_PAYMENT


def test_the_timeline_records_who_when_from_to_and_note(buyer, owner, variant, settings):
    order = make_order(buyer=buyer, variants=[variant], status=Status.PAID)
    lifecycle.order_ship(order=order, actor=owner, carrier="SF Express", tracking_number="SF77")
    lifecycle.order_confirm_receipt(order=order, role=Role.SYSTEM)
    ship, receive = OrderEvent.objects.filter(order=order).order_by("pk")
    assert (ship.role, ship.actor, ship.old_status, ship.new_status) == (
        Role.SELLER,
        owner,
        Status.PAID,
        Status.SHIPPED,
    )
    assert "SF Express" in ship.note and "SF77" in ship.note
    assert (receive.role, receive.actor) == (Role.SYSTEM, None)
    assert str(settings.ORDERS_AUTO_RECEIVE_DAYS) in receive.note
    assert ship.created_at <= receive.created_at


def test_the_seller_hears_when_the_buyer_acts_in_app_and_by_mail(
    buyer, owner, variant, django_capture_on_commit_callbacks
):
    order = make_order(buyer=buyer, variants=[variant], status=Status.AWAITING_PAYMENT)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.order_cancel(order=order, role=Role.BUYER, actor=buyer)
    note = Notification.objects.get(kind="orders.changed")
    assert note.recipient == owner
    assert note.target_url == order.get_seller_url()
    assert note.context["number"] == order.number
    assert not Notification.objects.filter(recipient=buyer).exists()
    email = OutgoingEmail.objects.get(to=owner.email)
    assert order.number in email.subject
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert order.get_seller_url() in mail.outbox[0].body


def test_the_buyer_hears_when_the_seller_acts(
    buyer, owner, variant, django_capture_on_commit_callbacks
):
    order = make_order(buyer=buyer, variants=[variant], status=Status.PAID)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.order_ship(order=order, actor=owner, carrier="SF Express", tracking_number="S9")
    note = Notification.objects.get(kind="orders.changed")
    assert note.recipient == buyer
    assert note.target_url == order.get_absolute_url()
    assert [m.to for m in mail.outbox] == [[buyer.email]]
    assert "S9" in mail.outbox[0].body


def test_both_sides_hear_when_the_site_acts(buyer, owner, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.SHIPPED)
    lifecycle.order_confirm_receipt(order=order, role=Role.SYSTEM)
    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert recipients == {buyer.pk, owner.pk}


# --- stock and money --------------------------------------------------------------------------


def test_cancel_puts_every_line_back_in_stock(buyer, shop, variant):
    from tests.catalog.factories import PublishedProductFactory, VariantFactory

    other = VariantFactory(product=PublishedProductFactory(shop=shop), stock=1)
    order = make_order(
        buyer=buyer, variants=[variant, other], quantities=[4, 2], status="awaiting_payment"
    )
    lifecycle.order_cancel(order=order, role=Role.SYSTEM)
    assert Variant.objects.get(pk=variant.pk).stock == 14
    assert Variant.objects.get(pk=other.pk).stock == 3


def test_partial_refunds_add_up_and_the_last_one_refunds_the_order(buyer, admin_user, variant):
    # Given a paid order of ¥78 (¥68 + ¥10 shipping)
    order = make_order(buyer=buyer, variants=[variant], status=Status.SHIPPED)
    assert order.total == Decimal("78.00")

    def refund(amount):
        return lifecycle.order_refund(
            order=order,
            amount=Decimal(amount),
            role=Role.PLATFORM,
            actor=admin_user,
            source=Refund.Source.DISPUTE,
        )

    # When ¥30.005 is refunded, it is rounded to cents and the order stays shipped
    refund("30.005")
    order.refresh_from_db()
    assert order.status == Status.SHIPPED
    assert order.refunded_total == Decimal("30.01")
    assert OrderEvent.objects.filter(order=order, action=Action.REFUND_PART).count() == 1
    # a refund of more than is left, or of nothing, is refused and changes nothing
    with pytest.raises(DomainError, match=r"47\.99"):
        refund("48.00")
    with pytest.raises(DomainError):
        refund("0")
    assert Order.objects.get(pk=order.pk).refunded_total == Decimal("30.01")
    # the rest refunds the order in full
    refund("47.99")
    order.refresh_from_db()
    assert order.status == Status.REFUNDED
    assert order.refunded_total == order.total
    assert sum(Refund.objects.filter(order=order).values_list("amount", flat=True)) == order.total
    # and nothing more can go out
    with pytest.raises(DomainError):
        refund("0.01")


def test_a_seller_refund_returns_everything_and_restocks(buyer, owner, variant):
    Variant.objects.filter(pk=variant.pk).update(stock=8)
    order = make_order(buyer=buyer, variants=[variant], quantities=[2], status=Status.PAID)
    refund = lifecycle.order_seller_refund(order=order, actor=owner, reason="Harvest failed.")
    order.refresh_from_db()
    assert (refund.amount, refund.role, refund.source) == (
        order.total,
        Role.SELLER,
        Refund.Source.SELLER,
    )
    assert order.status == Status.REFUNDED
    assert Variant.objects.get(pk=variant.pk).stock == 10
    with pytest.raises(InvalidTransition):
        lifecycle.order_seller_refund(order=order, actor=owner, reason="again")


@pytest.mark.parametrize("status", [Status.SHIPPED, Status.AWAITING_PAYMENT])
def test_a_seller_refund_is_only_for_paid_unshipped_orders(owner, variant, status):
    order = make_order(variants=[variant], status=status)
    with pytest.raises(InvalidTransition):
        lifecycle.order_seller_refund(order=order, actor=owner, reason="Cannot.")
    assert not Refund.objects.filter(order=order).exists()
    assert Order.objects.get(pk=order.pk).status == status
