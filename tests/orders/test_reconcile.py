"""A callback that never comes: the gateway is asked what became of the payment (by beat, by
the unpaid-order timer before it cancels, and while the buyer waits on the return page), and
its answer counts exactly as the callback would have."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.models import GatewayEvent, Order, Payment, PaymentMethod, SandboxCharge, Status
from orders.payments import sandbox
from orders.services import timers
from tests.orders.factories import make_order
from tests.parallel import at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.AWAITING_PAYMENT)
    return Payment.objects.create(order=order, provider=PaymentMethod.SANDBOX, amount=order.total)


@pytest.fixture(autouse=True)
def _no_throttle_left_over():
    cache.clear()


def decide_and_lose(client, payment, decision="pay", capture=None):
    """The buyer decides on the gateway's page; its delivery task is lost (never run)."""
    with capture(execute=False) as lost:
        response = client.post(
            reverse("orders:sandbox-gateway", args=[payment.reference]), {"decision": decision}
        )
    assert response.status_code == 302
    return lost


def later(minutes=3):
    return timezone.now() + timedelta(minutes=minutes)


def reload(obj):
    obj.refresh_from_db()
    return obj


def test_a_payment_whose_callback_was_lost_is_found_by_asking_the_gateway(
    client, pending, django_capture_on_commit_callbacks
):
    lost = decide_and_lose(client, pending, capture=django_capture_on_commit_callbacks)
    assert reload(pending).status == Payment.Status.PENDING

    settled = timers.payments_reconcile_due(now=later())

    assert settled == 1
    assert reload(pending).status == Payment.Status.PAID
    assert reload(pending.order).status == Status.PAID
    assert reload(pending).provider_reference.startswith("sbx-tx-")
    # The callback turning up after all is a replay of the same event: nothing changes.
    lost[0]()
    assert GatewayEvent.objects.count() == 1
    assert reload(pending.order).status == Status.PAID


def test_a_declined_payment_whose_callback_was_lost_fails(
    client, pending, django_capture_on_commit_callbacks
):
    decide_and_lose(client, pending, "decline", capture=django_capture_on_commit_callbacks)

    timers.payments_reconcile_due(now=later())

    assert reload(pending).status == Payment.Status.FAILED
    assert reload(pending.order).status == Status.AWAITING_PAYMENT


def test_a_payment_the_buyer_has_not_decided_is_left_alone(pending):
    assert timers.payments_reconcile_due(now=later()) == 0
    assert reload(pending).status == Payment.Status.PENDING
    assert GatewayEvent.objects.count() == 0


def test_a_fresh_payment_is_given_time_for_its_callback(
    client, pending, django_capture_on_commit_callbacks
):
    decide_and_lose(client, pending, capture=django_capture_on_commit_callbacks)

    assert timers.payments_reconcile_due(now=later(minutes=1)) == 0
    assert reload(pending).status == Payment.Status.PENDING


def test_an_answer_for_another_amount_is_refused(
    client, pending, django_capture_on_commit_callbacks
):
    decide_and_lose(client, pending, capture=django_capture_on_commit_callbacks)
    charge = SandboxCharge.objects.get()
    body = json.loads(charge.body)
    body["amount"] = "0.01"
    SandboxCharge.objects.filter(pk=charge.pk).update(body=json.dumps(body))

    assert timers.payments_reconcile_due(now=later()) == 0
    assert reload(pending).status == Payment.Status.PENDING
    assert reload(pending.order).status == Status.AWAITING_PAYMENT


def test_the_unpaid_timer_asks_the_gateway_before_it_cancels(
    client, pending, variant, django_capture_on_commit_callbacks
):
    decide_and_lose(client, pending, capture=django_capture_on_commit_callbacks)
    stock = reload(variant).stock
    past_pay_by = pending.order.pay_by + timedelta(minutes=1)

    cancelled = timers.orders_cancel_unpaid(now=past_pay_by)

    assert cancelled == 0
    assert reload(pending.order).status == Status.PAID
    assert reload(variant).stock == stock  # nothing went back on sale


def test_the_unpaid_timer_still_cancels_an_order_nobody_paid(pending):
    past_pay_by = pending.order.pay_by + timedelta(minutes=1)

    assert timers.orders_cancel_unpaid(now=past_pay_by) == 1
    assert reload(pending.order).status == Status.CANCELLED


def test_the_gateway_takes_only_the_first_decision(
    client, pending, django_capture_on_commit_callbacks
):
    decide_and_lose(client, pending, capture=django_capture_on_commit_callbacks)
    page = client.get(reverse("orders:sandbox-gateway", args=[pending.reference]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("orders:sandbox-gateway", args=[pending.reference]), {"decision": "decline"}
        )

    assert "This payment is closed" in page.text
    assert json.loads(SandboxCharge.objects.get().body)["status"] == "succeeded"
    timers.payments_reconcile_due(now=later())
    assert reload(pending).status == Payment.Status.PAID


# --- the buyer waiting on the return page ----------------------------------------------------


def test_the_return_page_asks_the_gateway_while_the_buyer_waits(
    client, buyer, pending, django_capture_on_commit_callbacks
):
    decide_and_lose(client, pending, capture=django_capture_on_commit_callbacks)
    client.force_login(buyer)

    page = client.get(reverse("orders:sandbox-return", args=[pending.reference]))

    assert "Paid: ¥" in page.text
    assert reload(pending.order).status == Status.PAID


def test_the_return_page_asks_at_most_every_few_seconds(
    client, buyer, pending, django_capture_on_commit_callbacks
):
    client.force_login(buyer)
    url = reverse("orders:sandbox-return", args=[pending.reference])
    assert "Waiting for the payment gateway" in client.get(url).text  # asked: nothing yet
    decide_and_lose(client, pending, capture=django_capture_on_commit_callbacks)

    poll = client.get(url, headers={"HX-Request": "true"})
    assert "Waiting for the payment gateway" in poll.text  # too soon to ask again
    cache.clear()  # the few seconds have passed
    assert "Paid: ¥" in client.get(url, headers={"HX-Request": "true"}).text


def test_the_return_page_of_someone_elses_payment_is_404(client, stranger, pending):
    client.force_login(stranger)

    assert client.get(reverse("orders:sandbox-return", args=[pending.reference])).status_code == 404
    assert reload(pending).status == Payment.Status.PENDING


@pytest.mark.parametrize("payments", [1, 20])
def test_the_sweep_needs_a_bounded_number_of_queries_per_payment(
    client, buyer, variant, payments, django_capture_on_commit_callbacks
):
    for _ in range(payments):
        order = make_order(buyer=buyer, variants=[variant], status=Status.AWAITING_PAYMENT)
        payment = Payment.objects.create(order=order, provider="sandbox", amount=order.total)
        decide_and_lose(client, payment, capture=django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        assert timers.payments_reconcile_due(now=later()) == payments

    # the batch, then per payment the same: read it, ask the gateway, apply the answer (lock,
    # event, payment, the order's transition, its timeline, the seller's notification and mail,
    # the stall's trust score)
    assert len(queries) <= 1 + 35 * payments


def test_beat_asks_the_gateway_every_two_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["orders-reconcile-payments"]
    assert entry["task"] == "orders.tasks.reconcile_payments"
    assert entry["schedule"] == 120.0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_pay_the_order_once(pending):
    # The gateway took the money; its callback was lost (outside a transaction, a page's
    # on-commit delivery would run at once, so the gateway's record is written directly).
    SandboxCharge.objects.create(
        reference=pending.reference,
        body=sandbox.gateway_callback_body(payment=pending, succeeded=True),
    )

    results = at_once([lambda: timers.payments_reconcile_due(now=later())] * 2)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(results) == 1
    assert GatewayEvent.objects.count() == 1
    assert Order.objects.get().status == Status.PAID
