"""The sandbox gateway's own side: its signature, its hosted page (which knows only the
payment's reference), and its server-to-server delivery, also through a real Celery worker."""

import json
import time
import uuid

import pytest
from django.urls import reverse

from orders import tasks
from orders.models import GatewayEvent, Payment, PaymentMethod, Status
from orders.payments import get_provider, sandbox
from orders.payments.base import InvalidCallback
from tests.orders.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.AWAITING_PAYMENT)
    return Payment.objects.create(order=order, provider=PaymentMethod.SANDBOX, amount=order.total)


def gateway_url(payment) -> str:
    return reverse("orders:sandbox-gateway", args=[payment.reference])


# --- the signature ----------------------------------------------------------------------------


def test_a_signature_verifies_only_the_body_it_signed():
    body = b'{"amount":"78.00"}'
    header = sandbox.sign(body)
    sandbox.verify(body, header)  # no error
    with pytest.raises(InvalidCallback):
        sandbox.verify(b'{"amount":"0.01"}', header)


def test_a_signature_binds_its_timestamp():
    body = b"{}"
    timestamp, mac = sandbox.sign(body).split(",")
    moved = f"t={int(timestamp[2:]) + 1},{mac}"
    with pytest.raises(InvalidCallback, match="does not match"):
        sandbox.verify(body, moved)


def test_a_signature_is_accepted_within_five_minutes_only():
    body = b"{}"
    signed_at = 1_800_000_000
    header = sandbox.sign(body, timestamp=signed_at)
    sandbox.verify(body, header, now=signed_at + 299)
    with pytest.raises(InvalidCallback, match="tolerance"):
        sandbox.verify(body, header, now=signed_at + 301)


def test_a_rotated_secret_may_send_two_signatures():
    body = b"{}"
    header = sandbox.sign(body)
    timestamp, mac = header.split(",")
    sandbox.verify(body, f"{timestamp},v1={'0' * 64},{mac}")


def test_the_signature_depends_on_the_secret(settings):
    body = b"{}"
    header = sandbox.sign(body, timestamp=1)
    settings.ORDERS_SANDBOX_SECRET = "rotated"
    assert sandbox.sign(body, timestamp=1) != header


def test_the_provider_reads_a_verified_callback(pending):
    body = sandbox.gateway_callback_body(payment=pending, succeeded=True).encode()

    callback = get_provider("sandbox").parse_callback(
        body=body, headers={"x-sandbox-signature": sandbox.sign(body)}
    )

    assert callback.reference == str(pending.reference)
    assert callback.amount == pending.amount
    assert callback.currency == "CNY"
    assert callback.succeeded
    assert callback.transaction_id.startswith("sbx-tx-")


def test_the_direct_provider_takes_no_callbacks():
    with pytest.raises(InvalidCallback):
        get_provider("direct").parse_callback(body=b"{}", headers={})


# --- the hosted page --------------------------------------------------------------------------


def test_the_hosted_page_works_on_the_reference_alone(client, pending):
    # Given nobody is logged in (the gateway is another site: it has no session of ours)
    response = client.get(gateway_url(pending))

    # Then it shows the merchant, the order number and the amount, with Pay and Decline
    assert response.status_code == 200
    assert "老高的茶叶铺" in response.text
    assert pending.order.number in response.text
    assert "¥78.00" in response.text
    assert 'value="pay"' in response.text and 'value="decline"' in response.text


def test_an_unknown_reference_is_a_404(client, pending):
    assert client.get(reverse("orders:sandbox-gateway", args=[uuid.uuid4()])).status_code == 404


def test_a_direct_payment_has_no_hosted_page(client, buyer, variant):
    order = make_order(
        buyer=buyer, variants=[variant], status=Status.PAID, payment_method=PaymentMethod.DIRECT
    )
    payment = order.payments.get()
    assert client.get(gateway_url(payment)).status_code == 404


def test_paying_on_the_hosted_page_delivers_a_signed_callback(
    client, pending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(gateway_url(pending), {"decision": "pay"})

    assert response.status_code == 302
    assert response.url == reverse("orders:sandbox-return", args=[pending.reference])
    pending.refresh_from_db()
    assert pending.status == Payment.Status.PAID
    assert pending.order.status == Status.PAID
    event = GatewayEvent.objects.get()
    assert event.kind == "payment.succeeded"
    assert event.payload["amount"] == "78.00"


def test_declining_on_the_hosted_page_fails_the_attempt(
    client, pending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(gateway_url(pending), {"decision": "decline"})

    pending.refresh_from_db()
    assert pending.status == Payment.Status.FAILED
    assert pending.order.status == Status.AWAITING_PAYMENT


def test_a_bad_decision_is_a_400(client, pending):
    response = client.post(gateway_url(pending), {"decision": "maybe"})
    assert response.status_code == 400
    assert "Choose Pay or Decline" in response.text


def test_a_closed_payment_cannot_be_paid_again(client, pending, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(gateway_url(pending), {"decision": "pay"})

    page = client.get(gateway_url(pending))
    assert "This payment is closed" in page.text
    with django_capture_on_commit_callbacks(execute=True) as sent:
        again = client.post(gateway_url(pending), {"decision": "pay"})
    assert again.status_code == 302
    assert sent == []
    assert GatewayEvent.objects.count() == 1


def test_the_delivery_task_signs_when_it_sends(pending):
    # Given a callback the gateway built a while ago (a retried delivery)
    body = sandbox.gateway_callback_body(payment=pending, succeeded=True, now=time.time() - 3600)

    # When the task delivers it, it is signed afresh and accepted
    assert tasks.sandbox_deliver_callback.delay(body=body).get() == "paid"
    # and delivering it again is a replay
    assert tasks.sandbox_deliver_callback.delay(body=body).get() == "replay"


@pytest.mark.parametrize("lines", [1, 30])
def test_the_hosted_page_has_bounded_queries(
    client, buyer, shop, lines, django_assert_max_num_queries
):
    from tests.catalog.factories import PublishedProductFactory, VariantFactory

    variants = [
        VariantFactory(product=PublishedProductFactory(shop=shop), stock=5) for _ in range(lines)
    ]
    order = make_order(buyer=buyer, variants=variants, status=Status.AWAITING_PAYMENT)
    payment = Payment.objects.create(order=order, provider="sandbox", amount=order.total)
    with django_assert_max_num_queries(4):
        response = client.get(gateway_url(payment))
    assert response.status_code == 200


# --- through a real worker --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_callback_and_the_order_gets_paid(
    running_worker, client, buyer, variant
):
    # Given the buyer pressed "Pay now"
    order = make_order(buyer=buyer, variants=[variant], status=Status.AWAITING_PAYMENT)
    client.force_login(buyer)
    gateway = client.post(reverse("orders:pay", args=[order.number])).url

    # When they press "Pay" on the gateway's page
    back = client.post(gateway, {"decision": "pay"}).url

    # Then a worker delivers the callback over the real broker, and the order becomes paid
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        order.refresh_from_db()
        if order.status == Status.PAID:
            break
        time.sleep(0.2)
    assert order.status == Status.PAID
    assert GatewayEvent.objects.filter(payment__order=order).count() == 1
    assert "Paid: ¥78.00" in client.get(back).text
    assert json.loads(json.dumps(GatewayEvent.objects.get().payload))["status"] == "succeeded"
