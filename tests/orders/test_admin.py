"""The orders admin: read-mostly pages, and the complaint ruling (full, part, reject), which
view-only staff cannot make."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from microstore.errors import DomainError
from orders.models import Action, Dispute, Order, Refund, Status
from orders.services import aftersales as services
from tests.factories import UserFactory
from tests.orders.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(buyer, variant):
    """Received: 1 x 铁观音 ¥68 + ¥10 shipping = ¥78."""
    return make_order(buyer=buyer, variants=[variant], status=Status.RECEIVED)


@pytest.fixture
def dispute(order, buyer, owner):
    services.dispute_open(
        order=order, actor=buyer, kind="not_as_described", statement="It is green tea."
    )
    services.dispute_answer(order=order, actor=owner, answer="It is oolong.")
    return services.dispute_escalate(order=order, actor=buyer, role="buyer", note="Look at it")


@pytest.fixture
def viewer(db):
    """Staff who may look at orders and complaints, and change nothing."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="orders", codename__startswith="view_")
    )
    return user


def rule_url(dispute):
    return reverse("admin:orders_dispute_rule", args=[dispute.pk])


def rule(client, dispute, **data):
    return client.post(rule_url(dispute), data)


def test_full_refund(client, admin_user, dispute, order):
    client.force_login(admin_user)
    change = client.get(reverse("admin:orders_dispute_change", args=[dispute.pk]))
    assert rule_url(dispute).encode() in change.content
    response = client.get(rule_url(dispute))
    assert response.status_code == 200 and b"It is green tea." in response.content
    response = rule(client, dispute, outcome="refund_full", reason="Wrong tea sent.")
    assert response.status_code == 302
    dispute.refresh_from_db()
    order.refresh_from_db()
    assert dispute.status == Dispute.Status.RESOLVED
    assert dispute.outcome == Dispute.Outcome.REFUND_FULL
    assert dispute.refund_amount == Decimal("78.00")
    assert dispute.ruled_by == admin_user and dispute.resolved_at
    assert order.status == Status.REFUNDED and order.refunded_total == Decimal("78.00")
    refund = Refund.objects.get()
    assert (refund.source, refund.role) == (Refund.Source.DISPUTE, "platform")
    assert order.events.filter(action=Action.DISPUTE_RESOLVED, role="platform").exists()


def test_part_refund(client, admin_user, dispute, order):
    client.force_login(admin_user)
    response = rule(client, dispute, outcome="refund_part", reason="Half.")
    assert response.status_code == 400  # no amount
    response = rule(client, dispute, outcome="refund_part", amount="100.00", reason="Too much")
    assert response.status_code == 400
    assert "left to refund" in response.content.decode()
    response = rule(client, dispute, outcome="refund_part", amount="30.00", reason="Dented tin")
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.refunded_total == Decimal("30.00") and order.status == Status.RECEIVED
    assert order.events.filter(action=Action.REFUND_PART).exists()


def test_reject(client, admin_user, dispute, order):
    client.force_login(admin_user)
    assert rule(client, dispute, outcome="rejected", reason="").status_code == 400
    response = rule(client, dispute, outcome="rejected", reason="It is oolong, as described.")
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.outcome == Dispute.Outcome.REJECTED and dispute.refund_amount is None
    assert not Refund.objects.exists()
    assert (
        order.events.filter(action=Action.DISPUTE_RESOLVED)
        .get()
        .note.startswith("complaint rejected")
    )


def test_a_complaint_is_decided_once(client, admin_user, dispute, order):
    client.force_login(admin_user)
    rule(client, dispute, outcome="refund_part", amount="10.00", reason="First")
    response = rule(client, dispute, outcome="refund_full", reason="Second")
    assert response.status_code == 400
    assert Refund.objects.count() == 1
    with pytest.raises(DomainError):
        services.dispute_rule(dispute=dispute, actor=admin_user, outcome="rejected", reason="x")


def test_view_only_staff_cannot_rule(client, viewer, dispute):
    client.force_login(viewer)
    change = reverse("admin:orders_dispute_change", args=[dispute.pk])
    response = client.get(change)
    assert response.status_code == 200
    assert b"Decide this complaint" not in response.content
    assert client.get(rule_url(dispute)).status_code == 403
    response = rule(client, dispute, outcome="refund_full", reason="I am not allowed")
    assert response.status_code == 403
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.ESCALATED
    with pytest.raises(DomainError):
        services.dispute_rule(dispute=dispute, actor=viewer, outcome="rejected", reason="x")


def test_non_staff_are_sent_to_the_admin_login(client, buyer, dispute):
    client.force_login(buyer)
    response = client.get(rule_url(dispute))
    assert response.status_code == 302 and "login" in response["Location"]


def test_missing_complaint_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:orders_dispute_rule", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    "model", ["order", "returnrequest", "dispute", "payment", "refund", "gatewayevent"]
)
def test_lists_open(client, admin_user, dispute, model):
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:orders_{model}_changelist")).status_code == 200


def test_order_page_search_and_filters(client, admin_user, order, owner):
    client.force_login(admin_user)
    changelist = reverse("admin:orders_order_changelist")
    assert order.number.encode() in client.get(changelist, {"q": order.number}).content
    assert order.number.encode() in client.get(changelist, {"q": order.buyer.email}).content
    assert order.number.encode() in client.get(changelist, {"q": order.shop.name}).content
    assert order.number.encode() not in client.get(changelist, {"status": "paid"}).content
    response = client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert response.status_code == 200
    assert "铁观音".encode() in response.content


def test_orders_cannot_be_edited_added_or_deleted(client, admin_user, order):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:orders_order_change", args=[order.pk]), {"status": "refunded"}
    )
    order.refresh_from_db()
    assert order.status == Status.RECEIVED
    assert client.get(reverse("admin:orders_order_add")).status_code == 403
    assert client.get(reverse("admin:orders_order_delete", args=[order.pk])).status_code == 403
    assert response.status_code in (200, 302)
    assert Order.objects.filter(pk=order.pk).exists()
