"""Paying orders: "Pay now", the gateway's signed callback (valid, replayed, forged, expired,
tampered, out of order, unknown), the seller confirming a direct payment, refunds through
each provider, the payment panel and the return page."""

import json
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from microstore.errors import DomainError
from microstore.notifications.models import Notification
from orders.errors import InvalidTransition, NotAllowed
from orders.models import (
    Action,
    GatewayEvent,
    OrderEvent,
    Payment,
    PaymentMethod,
    Refund,
    Role,
    Status,
)
from orders.payments import sandbox
from orders.services import lifecycle
from orders.services.payments import payment_confirm_direct, payment_start
from tests.orders.factories import make_order

pytestmark = pytest.mark.django_db

CALLBACK_URL = reverse("orders:sandbox-callback")


# --- helpers ----------------------------------------------------------------------------------


@pytest.fixture
def unpaid(buyer, variant):
    """An order of 铁观音 awaiting payment through the sandbox gateway (¥68 + ¥10)."""
    return make_order(buyer=buyer, variants=[variant], status=Status.AWAITING_PAYMENT)


@pytest.fixture
def pending(unpaid):
    """The payment attempt "Pay now" created for it."""
    return Payment.objects.create(order=unpaid, provider=PaymentMethod.SANDBOX, amount=unpaid.total)


def payload(payment, **changes) -> dict:
    return {
        "event_id": f"evt_{uuid.uuid4().hex}",
        "reference": str(payment.reference),
        "amount": f"{payment.amount:.2f}",
        "currency": "CNY",
        "status": "succeeded",
        "transaction_id": "sbx-tx-0001",
        "created": int(time.time()),
    } | changes


def signed(data: dict, *, timestamp=None) -> tuple[bytes, dict]:
    """A callback body and the headers the gateway sends with it."""
    body = json.dumps(data).encode()
    return body, {"X-Sandbox-Signature": sandbox.sign(body, timestamp=timestamp)}


def post_callback(client, body: bytes, headers: dict):
    return client.post(CALLBACK_URL, data=body, content_type="application/json", headers=headers)


def reload(obj):
    obj.refresh_from_db()
    return obj


# --- the callback -----------------------------------------------------------------------------


def test_a_valid_callback_pays_the_order_and_tells_the_seller(client, pending, owner):
    # Given a pending sandbox payment
    # When the gateway calls back, signed, "succeeded"
    response = post_callback(client, *signed(payload(pending, transaction_id="sbx-tx-42")))

    # Then the order is paid, with the gateway's transaction on the payment and the timeline
    assert response.status_code == 200
    order = reload(pending.order)
    assert order.status == Status.PAID
    assert order.paid_at is not None
    payment = reload(pending)
    assert payment.status == Payment.Status.PAID
    assert payment.provider_reference == "sbx-tx-42"
    event = order.events.get(action=Action.PAY)
    assert (event.old_status, event.new_status, event.role) == (
        Status.AWAITING_PAYMENT,
        Status.PAID,
        Role.SYSTEM,
    )
    assert "sbx-tx-42" in event.note
    # and the seller hears of it
    assert Notification.objects.filter(recipient=owner, kind="orders.changed").exists()
    assert GatewayEvent.objects.filter(provider="sandbox", payment=payment).count() == 1


def test_a_replayed_callback_is_recognised_and_changes_nothing(client, pending):
    # Given a callback that was accepted
    body, headers = signed(payload(pending))
    assert post_callback(client, body, headers).status_code == 200

    # When the very same callback arrives again
    response = post_callback(client, body, headers)

    # Then it is acknowledged (so the gateway stops) and nothing happens twice
    assert response.status_code == 200
    assert response.content == b"already received"
    assert GatewayEvent.objects.count() == 1
    assert Payment.objects.filter(order=pending.order, status="paid").count() == 1
    assert OrderEvent.objects.filter(order=pending.order, action=Action.PAY).count() == 1


def test_a_second_success_notice_with_a_new_event_id_changes_nothing(client, pending):
    # Given a paid payment
    post_callback(client, *signed(payload(pending)))

    # When the gateway reports the same success under another event id
    response = post_callback(client, *signed(payload(pending)))

    # Then it is recorded but the order and payment stay as they were
    assert response.status_code == 200
    assert GatewayEvent.objects.count() == 2
    assert OrderEvent.objects.filter(order=pending.order, action=Action.PAY).count() == 1
    assert not Refund.objects.exists()


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda body, headers: (body, {}), id="no-signature"),
        pytest.param(
            lambda body, headers: (body, {"X-Sandbox-Signature": "t=1,v1=deadbeef"}),
            id="wrong-signature",
        ),
        pytest.param(
            lambda body, headers: (body, {"X-Sandbox-Signature": "garbage"}), id="malformed-header"
        ),
        pytest.param(
            lambda body, headers: (body.replace(b"succeeded", b"failed!!!"), headers),
            id="body-changed-after-signing",
        ),
    ],
)
def test_a_forged_callback_is_refused_and_changes_nothing(client, pending, forge):
    # Given a callback someone tampered with or signed without our secret
    body, headers = forge(*signed(payload(pending)))

    # When it reaches us
    response = post_callback(client, body, headers)

    # Then it is refused and nothing is recorded
    assert response.status_code == 400
    assert reload(pending.order).status == Status.AWAITING_PAYMENT
    assert reload(pending).status == Payment.Status.PENDING
    assert not GatewayEvent.objects.exists()


def test_a_callback_signed_with_another_secret_is_refused(client, pending, settings):
    # Given a callback signed with a secret that is not ours
    settings.ORDERS_SANDBOX_SECRET = "someone-else's-secret"
    body, headers = signed(payload(pending))
    settings.ORDERS_SANDBOX_SECRET = "our-secret"

    # When it arrives, then it is refused
    assert post_callback(client, body, headers).status_code == 400
    assert reload(pending.order).status == Status.AWAITING_PAYMENT


def test_a_callback_signed_too_long_ago_is_refused(client, pending):
    # Given a genuine callback signed six minutes ago (captured and replayed later)
    body, headers = signed(payload(pending), timestamp=int(time.time()) - 6 * 60)

    # When it arrives, then it is refused as expired
    response = post_callback(client, body, headers)
    assert response.status_code == 400
    assert b"tolerance" in response.content
    assert reload(pending.order).status == Status.AWAITING_PAYMENT


def test_a_callback_with_an_amount_that_differs_from_the_payment_is_refused(client, pending):
    # Given a signed callback for less than the payment's amount
    response = post_callback(client, *signed(payload(pending, amount="0.01")))

    # Then it is refused, and nothing is paid or recorded
    assert response.status_code == 400
    assert reload(pending.order).status == Status.AWAITING_PAYMENT
    assert reload(pending).status == Payment.Status.PENDING
    assert not GatewayEvent.objects.exists()


def test_a_callback_in_another_currency_is_refused(client, pending):
    response = post_callback(client, *signed(payload(pending, currency="USD")))
    assert response.status_code == 400
    assert reload(pending.order).status == Status.AWAITING_PAYMENT


def test_a_callback_for_an_unknown_reference_is_a_404(client, pending):
    # Given a signed callback about a payment we never created
    data = payload(pending, reference=str(uuid.uuid4()))

    # Then 404, not a crash
    assert post_callback(client, *signed(data)).status_code == 404
    assert not GatewayEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"event_id": "e1"}',
        b'{"event_id": "e1", "reference": "nope", "amount": "1", "currency": "CNY", '
        b'"status": "succeeded"}',
        b'{"event_id": "e1", "reference": "6f1c3f0e-5d5b-4a53-9b2c-1f1e6a9c1a11", '
        b'"amount": "NaN", "currency": "CNY", "status": "succeeded"}',
        b'{"event_id": "e1", "reference": "6f1c3f0e-5d5b-4a53-9b2c-1f1e6a9c1a11", '
        b'"amount": "1e999", "currency": "CNY", "status": "succeeded"}',
        b'{"event_id": "e1", "reference": "6f1c3f0e-5d5b-4a53-9b2c-1f1e6a9c1a11", '
        b'"amount": "78.00", "currency": "CNY", "status": "refunded"}',
        b"\xff\xfe",
    ],
)
def test_an_unreadable_signed_callback_is_a_400(client, pending, body):
    response = post_callback(client, body, {"X-Sandbox-Signature": sandbox.sign(body)})
    assert response.status_code == 400


def test_the_callback_url_takes_only_post(client):
    assert client.get(CALLBACK_URL).status_code == 405


def test_a_failed_callback_fails_the_attempt_and_the_buyer_may_try_again(client, pending, buyer):
    # Given the buyer declined on the gateway
    response = post_callback(client, *signed(payload(pending, status="failed")))

    # Then the attempt failed but the order still awaits payment
    assert response.status_code == 200
    assert reload(pending).status == Payment.Status.FAILED
    order = reload(pending.order)
    assert order.status == Status.AWAITING_PAYMENT

    # and "Pay now" starts a fresh attempt
    url = payment_start(order=order, actor=buyer)
    fresh = Payment.objects.exclude(pk=pending.pk).get(order=order)
    assert url == reverse("orders:sandbox-gateway", args=[fresh.reference])


def test_a_failed_callback_after_success_changes_nothing(client, pending):
    # Given a paid order
    post_callback(client, *signed(payload(pending)))

    # When a "failed" arrives late for the same payment
    response = post_callback(client, *signed(payload(pending, status="failed")))

    # Then the order and the payment stay paid
    assert response.status_code == 200
    assert reload(pending).status == Payment.Status.PAID
    assert reload(pending.order).status == Status.PAID


def test_success_after_the_timer_cancelled_the_order_refunds_the_money(client, pending, buyer):
    # Given the order was cancelled for not being paid in time
    lifecycle.order_cancel(order=pending.order, role=Role.SYSTEM, reason="Not paid in time.")

    # When the gateway then reports the money taken
    response = post_callback(client, *signed(payload(pending)))

    # Then the order is not resurrected: the money goes straight back through the provider
    assert response.status_code == 200
    order = reload(pending.order)
    assert order.status == Status.CANCELLED
    assert order.refunded_total == 0  # the order itself never was paid
    payment = reload(pending)
    assert payment.status == Payment.Status.REFUNDED
    refund = Refund.objects.get(order=order)
    assert refund.payment == payment
    assert refund.amount == order.total
    assert refund.source == Refund.Source.LATE_PAYMENT
    assert refund.provider_reference.startswith("sbx-rf-")
    # and both sides see it on the timeline and hear of it
    event = order.events.get(action=Action.LATE_PAYMENT_REFUNDED)
    assert event.role == Role.SYSTEM
    assert "¥78.00" in event.note
    assert Notification.objects.filter(
        recipient=buyer, context__action=Action.LATE_PAYMENT_REFUNDED
    ).exists()

    # and a replay of that callback changes nothing more
    assert Refund.objects.count() == 1


def test_a_second_payment_for_an_order_already_paid_is_refunded(client, pending, buyer):
    # Given the buyer paid in one tab, and also pays a second attempt in another
    second = Payment.objects.create(
        order=pending.order, provider=PaymentMethod.SANDBOX, amount=pending.amount
    )
    post_callback(client, *signed(payload(pending)))

    # When the second success arrives
    response = post_callback(client, *signed(payload(second)))

    # Then the order is paid once and the second payment goes back
    assert response.status_code == 200
    assert reload(pending).status == Payment.Status.PAID
    assert reload(second).status == Payment.Status.REFUNDED
    assert reload(pending.order).refunded_total == 0
    assert Refund.objects.get().payment == second


# --- "Pay now" --------------------------------------------------------------------------------


def test_pay_now_sends_the_buyer_to_the_gateway_with_a_pending_payment(client, buyer, unpaid):
    client.force_login(buyer)

    response = client.post(reverse("orders:pay", args=[unpaid.number]))

    payment = Payment.objects.get(order=unpaid)
    assert payment.status == Payment.Status.PENDING
    assert payment.amount == unpaid.total
    assert response.status_code == 302
    assert response.url == reverse("orders:sandbox-gateway", args=[payment.reference])


def test_pressing_pay_now_twice_reuses_the_pending_payment(client, buyer, unpaid):
    client.force_login(buyer)
    first = client.post(reverse("orders:pay", args=[unpaid.number]))
    second = client.post(reverse("orders:pay", args=[unpaid.number]))
    assert first.url == second.url
    assert Payment.objects.filter(order=unpaid).count() == 1


@pytest.mark.parametrize("who", ["stranger", "owner"])
def test_pay_now_is_a_404_for_anyone_but_the_buyer(client, unpaid, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("orders:pay", args=[unpaid.number]))
    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_pay_now_needs_a_login_and_a_post(client, buyer, unpaid):
    url = reverse("orders:pay", args=[unpaid.number])
    assert client.post(url).status_code == 302  # to the login page
    assert not Payment.objects.exists()
    client.force_login(buyer)
    assert client.get(url).status_code == 405


def test_pay_now_on_a_paid_order_is_refused_with_a_message(client, buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.PAID)
    client.force_login(buyer)

    response = client.post(reverse("orders:pay", args=[order.number]), follow=True)

    assert response.redirect_chain[0][0] == order.get_absolute_url()
    assert "“paid online” is not possible now" in str(next(iter(response.context["messages"])))
    assert Payment.objects.filter(order=order).count() == 1  # the one it was paid with


def test_pay_now_after_the_pay_by_time_is_refused(buyer, unpaid):
    later = unpaid.pay_by + timedelta(seconds=1)
    with pytest.raises(DomainError, match="time to pay"):
        payment_start(order=unpaid, actor=buyer, now=later)
    assert not Payment.objects.exists()


def test_pay_now_on_a_direct_order_shows_how_to_pay(client, buyer, variant):
    order = make_order(
        buyer=buyer,
        variants=[variant],
        status=Status.AWAITING_PAYMENT,
        payment_method=PaymentMethod.DIRECT,
    )
    client.force_login(buyer)

    response = client.post(reverse("orders:pay", args=[order.number]))

    assert response.status_code == 302
    assert response.url == order.get_absolute_url()
    assert not Payment.objects.exists()


def test_the_whole_sandbox_round_trip(client, buyer, unpaid, django_capture_on_commit_callbacks):
    # Given the buyer presses "Pay now"
    client.force_login(buyer)
    gateway_url = client.post(reverse("orders:pay", args=[unpaid.number])).url

    # When they press "Pay" on the gateway's page
    page = client.get(gateway_url)
    assert page.status_code == 200
    assert "老高的茶叶铺" in page.text and unpaid.number in page.text and "¥78.00" in page.text
    with django_capture_on_commit_callbacks(execute=True) as delivered:
        response = client.post(gateway_url, {"decision": "pay"})
    # the callback went server-to-server, by a task enqueued on commit
    assert "orders.tasks.sandbox_deliver_callback" in repr(delivered[0])

    # Then they land on our return page, which (the callback delivered) says "paid"
    assert response.status_code == 302
    result = client.get(response.url)
    assert "Paid: ¥78.00" in result.text
    assert reload(unpaid).status == Status.PAID


# --- the seller confirms a direct payment -----------------------------------------------------


@pytest.fixture
def direct_unpaid(buyer, variant):
    return make_order(
        buyer=buyer,
        variants=[variant],
        status=Status.AWAITING_PAYMENT,
        payment_method=PaymentMethod.DIRECT,
    )


def test_the_seller_confirms_a_direct_payment(direct_unpaid, owner, buyer):
    payment = payment_confirm_direct(order=direct_unpaid, actor=owner)

    assert payment.status == Payment.Status.PAID
    assert payment.provider == PaymentMethod.DIRECT
    assert payment.amount == direct_unpaid.total
    order = reload(direct_unpaid)
    assert order.status == Status.PAID
    event = order.events.get(action=Action.CONFIRM_PAYMENT)
    assert (event.role, event.actor) == (Role.SELLER, owner)
    assert Notification.objects.filter(recipient=buyer, kind="orders.changed").exists()

    # and a second click changes nothing
    assert payment_confirm_direct(order=order, actor=owner) == payment
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("who", ["buyer", "stranger"])
def test_only_the_seller_confirms_a_direct_payment(direct_unpaid, who, request):
    with pytest.raises(NotAllowed):
        payment_confirm_direct(order=direct_unpaid, actor=request.getfixturevalue(who))
    assert reload(direct_unpaid).status == Status.AWAITING_PAYMENT


def test_the_seller_cannot_confirm_an_online_payment(unpaid, owner):
    with pytest.raises(DomainError, match="payment gateway confirms it"):
        payment_confirm_direct(order=unpaid, actor=owner)


def test_the_seller_cannot_confirm_payment_of_a_cancelled_order(direct_unpaid, owner):
    lifecycle.order_cancel(order=direct_unpaid, role=Role.SYSTEM)
    with pytest.raises(InvalidTransition):
        payment_confirm_direct(order=direct_unpaid, actor=owner)
    assert not Payment.objects.exists()


# --- refunds through each provider ------------------------------------------------------------


def test_a_direct_refund_is_recorded_as_offline_and_says_the_seller_pays_back(buyer, variant):
    order = make_order(
        buyer=buyer, variants=[variant], status=Status.PAID, payment_method=PaymentMethod.DIRECT
    )
    refund = lifecycle.order_refund(
        order=order,
        amount=Decimal("10.00"),
        role=Role.PLATFORM,
        source=Refund.Source.DISPUTE,
        reason="Box dented.",
    )
    assert refund.provider_reference.startswith("offline-")
    note = order.events.get(action=Action.REFUND_PART).note
    assert "by hand" in note


def test_a_sandbox_refund_goes_through_the_gateway(buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.PAID)
    refund = lifecycle.order_refund(
        order=order, amount=order.total, role=Role.PLATFORM, source=Refund.Source.DISPUTE
    )
    assert refund.provider_reference.startswith("sbx-rf-")
    assert refund.payment.provider == PaymentMethod.SANDBOX
    assert reload(order).status == Status.REFUNDED


# --- the return page --------------------------------------------------------------------------


def test_the_return_page_waits_for_the_callback_and_polls(client, buyer, pending):
    client.force_login(buyer)
    url = reverse("orders:sandbox-return", args=[pending.reference])

    response = client.get(url)

    assert response.status_code == 200
    assert "Waiting for the payment gateway" in response.text
    assert 'hx-trigger="every 2s"' in response.text
    assert f'href="{url}"' in response.text  # refresh without JavaScript

    # htmx gets the fragment only; once paid it stops polling
    post_callback(client, *signed(payload(pending)))
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert "Paid: ¥78.00" in fragment.text
    assert "hx-trigger" not in fragment.text


def test_the_return_page_after_a_decline(client, buyer, pending):
    post_callback(client, *signed(payload(pending, status="failed")))
    client.force_login(buyer)
    response = client.get(reverse("orders:sandbox-return", args=[pending.reference]))
    assert "did not go through" in response.text


@pytest.mark.parametrize("who", ["stranger", "owner"])
def test_the_return_page_is_a_404_for_anyone_but_the_buyer(client, pending, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("orders:sandbox-return", args=[pending.reference]))
    assert response.status_code == 404


def test_the_return_page_of_an_unknown_payment_is_a_404(client, buyer):
    client.force_login(buyer)
    assert client.get(reverse("orders:sandbox-return", args=[uuid.uuid4()])).status_code == 404


def test_the_return_page_needs_a_login(client, pending):
    response = client.get(reverse("orders:sandbox-return", args=[pending.reference]))
    assert response.status_code == 302
    assert "login" in response.url


@pytest.mark.parametrize("lines", [1, 30])
def test_the_return_page_has_bounded_queries(
    client, buyer, shop, lines, django_assert_max_num_queries
):
    from tests.catalog.factories import PublishedProductFactory, VariantFactory

    variants = [
        VariantFactory(product=PublishedProductFactory(shop=shop), stock=5) for _ in range(lines)
    ]
    order = make_order(buyer=buyer, variants=variants, status=Status.AWAITING_PAYMENT)
    payment = Payment.objects.create(order=order, provider="sandbox", amount=order.total)
    client.force_login(buyer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("orders:sandbox-return", args=[payment.reference]))
    assert response.status_code == 200


# --- the payment panel ------------------------------------------------------------------------


def panel(order) -> str:
    request = RequestFactory().get("/")
    return render_to_string("orders/_pay_panel.html", {"order": order}, request=request)


def test_the_panel_of_an_unpaid_sandbox_order_offers_pay_now(unpaid):
    html = panel(unpaid)
    assert "¥78.00" in html
    assert "Pay by " + timezone.localtime(unpaid.pay_by).strftime("%H:%M") in html
    assert reverse("orders:pay", args=[unpaid.number]) in html
    assert "Pay now" in html


def test_the_panel_of_an_unpaid_direct_order_shows_the_stalls_instructions(direct_unpaid):
    html = panel(direct_unpaid)
    assert "招商银行 6225 8801 2345 6789" in html
    assert "seller confirms" in html
    assert "Pay now" not in html


def test_the_panel_of_a_paid_order_says_when_and_how(buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.PAID)
    lifecycle.order_refund(
        order=order, amount=Decimal("8.00"), role=Role.PLATFORM, source=Refund.Source.DISPUTE
    )
    html = panel(reload(order))
    assert "Paid on" in html and "online payment gateway" in html
    assert "¥8.00 of ¥78.00 refunded" in html
    assert "Pay now" not in html


def test_the_panel_of_a_cancelled_order_shows_a_late_payment_refund(client, pending):
    lifecycle.order_cancel(order=pending.order, role=Role.SYSTEM)
    post_callback(client, *signed(payload(pending)))
    html = panel(reload(pending.order))
    assert "Not paid" in html
    assert "¥78.00 that reached the payment gateway after the order was cancelled" in html
