"""Complaints: open, answer, escalate, withdraw; who may do what; the stall's counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from microstore.errors import DomainError
from orders.models import Action, Dispute, Status
from orders.selectors.aftersales import aftersales_for_order
from orders.services import aftersales as services
from tests.orders.factories import make_order
from tests.orders.test_returns import _render_panels

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(buyer, variant):
    """Shipped: 1 x 铁观音 ¥68 + ¥10 shipping."""
    return make_order(buyer=buyer, variants=[variant], status=Status.SHIPPED)


def open_one(order, buyer, kind="not_received", statement="Nothing came after 12 days."):
    return services.dispute_open(order=order, actor=buyer, kind=kind, statement=statement)


def events(order):
    return list(order.events.values_list("action", flat=True))


def seller_url(name, order):
    return reverse(f"orders:{name}", args=[order.shop.slug, order.number])


def buyer_url(name, order):
    return reverse(f"orders:{name}", args=[order.number])


# --- services ----------------------------------------------------------------------------------


def test_opening_sets_the_deadline_and_tells_the_seller(order, buyer, owner, settings):
    from microstore.notifications.models import Notification

    settings.ORDERS_DISPUTE_ANSWER_DAYS = 3
    before = timezone.now()
    dispute = open_one(order, buyer)
    assert dispute.status == Dispute.Status.OPEN
    assert dispute.shop_id == order.shop_id
    assert before + timedelta(days=3) <= dispute.answer_by <= timezone.now() + timedelta(days=3)
    assert events(order) == [Action.DISPUTE_OPENED]
    assert Notification.objects.filter(recipient=owner).exists()


@pytest.mark.parametrize("status", [Status.PAID, Status.SHIPPED, Status.RECEIVED, Status.COMPLETED])
def test_paid_orders_can_have_a_complaint(buyer, variant, status):
    order = make_order(buyer=buyer, variants=[variant], status=status)
    assert open_one(order, buyer).pk


@pytest.mark.parametrize("status", [Status.AWAITING_PAYMENT, Status.CANCELLED, Status.REFUNDED])
def test_other_orders_cannot(buyer, variant, status):
    order = make_order(buyer=buyer, variants=[variant], status=status)
    with pytest.raises(DomainError):
        open_one(order, buyer)


def test_opening_twice_keeps_one(order, buyer):
    assert open_one(order, buyer).pk == open_one(order, buyer).pk
    assert Dispute.objects.count() == 1


def test_return_refused_needs_a_refused_return(order, buyer):
    with pytest.raises(DomainError, match="has not refused a return"):
        open_one(order, buyer, kind="return_refused")


def test_a_statement_is_needed(order, buyer):
    with pytest.raises(DomainError, match="what happened"):
        open_one(order, buyer, statement="   ")


def test_seller_answers_then_either_side_may_escalate(order, buyer, owner):
    dispute = open_one(order, buyer)
    assert not services.can_escalate(dispute, "buyer")
    assert not services.can_escalate(dispute, "seller")
    with pytest.raises(DomainError, match="has until"):
        services.dispute_escalate(order=order, actor=buyer, role="buyer")
    with pytest.raises(DomainError, match="Answer the complaint first"):
        services.dispute_escalate(order=order, actor=owner, role="seller")
    dispute = services.dispute_answer(order=order, actor=owner, answer="Sent on the 3rd, SF1.")
    assert dispute.status == Dispute.Status.ANSWERED and dispute.answered_at
    dispute = services.dispute_escalate(order=order, actor=owner, role="seller", note="Proof")
    assert (dispute.status, dispute.escalated_by) == (Dispute.Status.ESCALATED, "seller")
    # the buyer escalating too changes nothing
    services.dispute_escalate(order=order, actor=buyer, role="buyer")
    assert events(order).count(Action.DISPUTE_ESCALATED) == 1


def test_buyer_may_escalate_once_the_deadline_passed_without_answer(order, buyer, owner):
    dispute = open_one(order, buyer)
    Dispute.objects.filter(pk=dispute.pk).update(answer_by=timezone.now() - timedelta(minutes=1))
    dispute = services.dispute_escalate(order=order, actor=buyer, role="buyer", note="Silence")
    assert dispute.status == Dispute.Status.ESCALATED
    # a late answer still reaches microstore
    dispute = services.dispute_answer(order=order, actor=owner, answer="Sorry, holiday")
    assert dispute.status == Dispute.Status.ESCALATED and dispute.seller_answer


def test_answering_twice_changes_nothing(order, buyer, owner):
    open_one(order, buyer)
    services.dispute_answer(order=order, actor=owner, answer="First")
    dispute = services.dispute_answer(order=order, actor=owner, answer="Second")
    assert dispute.seller_answer == "First"
    assert events(order).count(Action.DISPUTE_ANSWERED) == 1


def test_withdrawing(order, buyer, owner):
    open_one(order, buyer)
    dispute = services.dispute_withdraw(order=order, actor=buyer)
    assert dispute.status == Dispute.Status.WITHDRAWN
    services.dispute_withdraw(order=order, actor=buyer)
    assert events(order).count(Action.DISPUTE_WITHDRAWN) == 1
    with pytest.raises(DomainError):
        services.dispute_answer(order=order, actor=owner, answer="too late")
    # a new complaint can be opened after a withdrawn one
    assert open_one(order, buyer).status == Dispute.Status.OPEN


def test_the_wrong_side_is_refused(order, buyer, owner, stranger):
    with pytest.raises(DomainError):
        open_one(order, owner)
    with pytest.raises(DomainError):
        open_one(order, stranger)
    open_one(order, buyer)
    with pytest.raises(DomainError):
        services.dispute_answer(order=order, actor=buyer, answer="me")
    with pytest.raises(DomainError):
        services.dispute_withdraw(order=order, actor=owner)
    with pytest.raises(DomainError):
        services.dispute_escalate(order=order, actor=buyer, role="seller")


def test_an_open_complaint_holds_the_order_open(buyer, variant):
    from orders.services import lifecycle

    order = make_order(
        buyer=buyer,
        variants=[variant],
        status=Status.RECEIVED,
        at=timezone.now() - timedelta(days=8),
    )
    open_one(order, buyer)
    assert lifecycle.order_complete(order=order) is None


# --- pages -------------------------------------------------------------------------------------


def test_opening_through_the_page(client, order, buyer):
    client.force_login(buyer)
    response = client.get(buyer_url("dispute", order))
    assert response.status_code == 200 and b'name="statement"' in response.content
    response = client.post(buyer_url("dispute", order), {"kind": "not_received"})
    assert response.status_code == 400
    response = client.post(buyer_url("dispute", order), {"kind": "nonsense", "statement": "x"})
    assert response.status_code == 400
    response = client.post(
        buyer_url("dispute", order), {"kind": "not_received", "statement": "Nothing came"}
    )
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    # a second submit keeps one complaint
    client.post(buyer_url("dispute", order), {"kind": "not_received", "statement": "Again"})
    assert Dispute.objects.count() == 1


def test_complaint_page_on_an_unpaid_order_explains(client, buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.AWAITING_PAYMENT)
    client.force_login(buyer)
    response = client.get(buyer_url("dispute", order))
    assert response.status_code == 200
    assert b"once the order is paid" in response.content
    assert client.post(buyer_url("dispute", order), {}).status_code == 400


def test_the_steps_through_the_pages(client, order, buyer, owner):
    open_one(order, buyer)
    client.force_login(owner)
    assert client.post(seller_url("seller-dispute-answer", order), {}).status_code == 400
    response = client.post(seller_url("seller-dispute-answer", order), {"answer": "Sent"})
    assert response.status_code == 302 and response["Location"] == order.get_seller_url()
    client.force_login(buyer)
    response = client.post(buyer_url("dispute-escalate", order), {"note": "Still nothing"})
    assert response.status_code == 302
    assert Dispute.objects.get().status == Dispute.Status.ESCALATED
    response = client.post(buyer_url("dispute-withdraw", order))
    assert response.status_code == 302
    assert Dispute.objects.get().status == Dispute.Status.WITHDRAWN


def test_seller_escalating_before_answering_is_a_400_with_the_reason(client, order, buyer, owner):
    open_one(order, buyer)
    client.force_login(owner)
    response = client.post(seller_url("seller-dispute-escalate", order), {"note": "Please"})
    assert response.status_code == 400
    assert "Answer the complaint first" in response.content.decode()


BUYER_URLS = ["dispute", "dispute-escalate", "dispute-withdraw"]
SELLER_URLS = ["seller-dispute-answer", "seller-dispute-escalate"]


@pytest.mark.parametrize("name", BUYER_URLS)
def test_buyer_urls_are_404_for_anyone_else(client, order, owner, stranger, name):
    open_one(order, order.buyer)
    for user in (owner, stranger):
        client.force_login(user)
        assert client.post(buyer_url(name, order), {"note": "x"}).status_code == 404


@pytest.mark.parametrize("name", SELLER_URLS)
def test_seller_urls_are_404_for_anyone_else(client, order, buyer, stranger, other_shop, name):
    open_one(order, buyer)
    for user in (buyer, stranger):
        client.force_login(user)
        assert client.post(seller_url(name, order), {"answer": "x"}).status_code == 404
        assert client.get(seller_url(name, order)).status_code == 404
    url = reverse(f"orders:{name}", args=[other_shop.slug, order.number])
    assert client.post(url, {"answer": "x"}).status_code == 404


def test_ruling_shows_on_both_panels(order, buyer, owner, admin_user):
    dispute = open_one(order, buyer)
    services.dispute_rule(
        dispute=dispute,
        actor=admin_user,
        outcome="refund_part",
        amount=Decimal("20.00"),
        reason="The tin was dented; a partial refund is fair.",
    )
    buyer_html, seller_html = _render_panels(order, aftersales_for_order(order))
    for html in (buyer_html, seller_html):
        assert "Refund in part" in html
        assert "¥20.00" in html
        assert "a partial refund is fair" in html
