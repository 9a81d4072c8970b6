"""What beat runs: unpaid orders cancelled, receipt confirmed automatically, orders completed.
Time is moved with the services' explicit ``now=`` (or orders placed in the past)."""

from datetime import timedelta
from functools import partial

import pytest
from django.conf import settings
from django.utils import timezone

from catalog.models import StockMovement
from microstore.celery import app as celery_app
from orders import tasks
from orders.models import (
    Action,
    Dispute,
    Order,
    OrderEvent,
    PaymentMethod,
    ReturnRequest,
    Role,
    Status,
)
from orders.services import timers
from tests.orders.factories import make_order
from tests.parallel import at_once

pytestmark = pytest.mark.django_db


def reload(order):
    order.refresh_from_db()
    return order


# --- unpaid orders ----------------------------------------------------------------------------


def test_an_unpaid_order_past_its_pay_by_time_is_cancelled_and_its_stock_returns(buyer, variant):
    # Given an order of two, not paid
    order = make_order(
        buyer=buyer, variants=[variant], quantities=[2], status=Status.AWAITING_PAYMENT
    )
    stock = variant.stock

    # When beat runs one second after the pay-by time
    done = timers.orders_cancel_unpaid(now=order.pay_by + timedelta(seconds=1))

    # Then the order is cancelled by the system, and the two are back on sale
    assert done == 1
    order = reload(order)
    assert order.status == Status.CANCELLED
    event = order.events.get(action=Action.CANCEL)
    assert event.role == Role.SYSTEM
    assert "Not paid in time" in event.note
    variant.refresh_from_db()
    assert variant.stock == stock + 2
    assert StockMovement.objects.filter(
        variant=variant, reason=StockMovement.Reason.CANCELLED
    ).exists()


@pytest.mark.parametrize("method", [PaymentMethod.SANDBOX, PaymentMethod.DIRECT])
def test_an_unpaid_order_is_left_alone_until_its_pay_by_time(buyer, variant, method):
    order = make_order(
        buyer=buyer, variants=[variant], status=Status.AWAITING_PAYMENT, payment_method=method
    )
    assert timers.orders_cancel_unpaid(now=order.pay_by - timedelta(seconds=1)) == 0
    assert reload(order).status == Status.AWAITING_PAYMENT


def test_paid_orders_are_never_cancelled_by_the_timer(buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.PAID)
    assert timers.orders_cancel_unpaid(now=order.pay_by + timedelta(days=1)) == 0
    assert reload(order).status == Status.PAID


def test_running_the_cancel_timer_twice_changes_nothing_the_second_time(buyer, variant):
    orders = [
        make_order(buyer=buyer, variants=[variant], status=Status.AWAITING_PAYMENT)
        for _ in range(3)
    ]
    later = orders[-1].pay_by + timedelta(minutes=1)

    assert timers.orders_cancel_unpaid(now=later) == 3
    assert timers.orders_cancel_unpaid(now=later) == 0

    assert OrderEvent.objects.filter(action=Action.CANCEL).count() == 3
    variant.refresh_from_db()
    assert variant.stock == 10 + 3


def test_the_cancel_timer_works_in_batches(buyer, variant):
    for _ in range(3):
        make_order(buyer=buyer, variants=[variant], status=Status.AWAITING_PAYMENT)
    later = timezone.now() + timedelta(days=1)
    assert timers.orders_cancel_unpaid(now=later, limit=2) == 2
    assert timers.orders_cancel_unpaid(now=later, limit=2) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_timer_runs_at_once_cancel_each_order_once(buyer, variant):
    # Given five unpaid orders past their time
    orders = [
        make_order(buyer=buyer, variants=[variant], status=Status.AWAITING_PAYMENT)
        for _ in range(5)
    ]
    later = orders[-1].pay_by + timedelta(minutes=1)

    # When two beat runs overlap
    results = at_once([partial(timers.orders_cancel_unpaid, now=later)] * 2)

    # Then every order is cancelled exactly once and its stock returned once
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(results) == 5
    assert Order.objects.filter(status=Status.CANCELLED).count() == 5
    assert OrderEvent.objects.filter(action=Action.CANCEL).count() == 5
    variant.refresh_from_db()
    assert variant.stock == 10 + 5


# --- automatic receipt ------------------------------------------------------------------------


def test_receipt_is_confirmed_automatically_when_the_buyer_did_not(buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.SHIPPED)

    done = timers.orders_confirm_receipt_due(now=order.auto_receive_at + timedelta(seconds=1))

    assert done == 1
    order = reload(order)
    assert order.status == Status.RECEIVED
    assert order.return_until is not None  # the 7-day window starts
    event = order.events.get(action=Action.CONFIRM_RECEIPT)
    assert event.role == Role.SYSTEM
    assert f"{settings.ORDERS_AUTO_RECEIVE_DAYS} days" in event.note
    assert timers.orders_confirm_receipt_due(now=order.auto_receive_at) == 0  # idempotent


def test_receipt_is_not_confirmed_before_its_time(buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.SHIPPED)
    assert timers.orders_confirm_receipt_due(now=order.auto_receive_at - timedelta(hours=1)) == 0
    assert reload(order).status == Status.SHIPPED


def test_receipt_is_not_confirmed_while_the_buyer_complains(buyer, variant):
    # Given the buyer says the parcel never came
    order = make_order(buyer=buyer, variants=[variant], status=Status.SHIPPED)
    Dispute.objects.create(
        order=order,
        shop=order.shop,
        kind=Dispute.Kind.NOT_RECEIVED,
        statement="Nothing arrived.",
        answer_by=timezone.now() + timedelta(days=3),
    )

    # Then the timer does not overrule them
    assert timers.orders_confirm_receipt_due(now=order.auto_receive_at + timedelta(days=1)) == 0
    assert reload(order).status == Status.SHIPPED


# --- completion -------------------------------------------------------------------------------


def test_a_received_order_completes_when_its_return_window_closed(buyer, variant):
    # Given an order received eight days ago
    order = make_order(
        buyer=buyer,
        variants=[variant],
        status=Status.RECEIVED,
        at=timezone.now() - timedelta(days=8),
    )

    assert timers.orders_complete_due() == 1

    order = reload(order)
    assert order.status == Status.COMPLETED
    assert order.events.get(action=Action.COMPLETE).role == Role.SYSTEM
    assert timers.orders_complete_due() == 0  # idempotent


def test_a_received_order_is_not_completed_before_its_return_window_closes(buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.RECEIVED)
    assert timers.orders_complete_due(now=order.return_until - timedelta(seconds=1)) == 0
    assert reload(order).status == Status.RECEIVED


@pytest.mark.parametrize("open_case", ["return", "complaint"])
def test_an_order_with_an_open_return_or_complaint_is_not_completed(buyer, variant, open_case):
    order = make_order(
        buyer=buyer,
        variants=[variant],
        status=Status.RECEIVED,
        at=timezone.now() - timedelta(days=8),
    )
    if open_case == "return":
        ReturnRequest.objects.create(order=order, amount=order.total, reason="Too big.")
    else:
        Dispute.objects.create(
            order=order,
            shop=order.shop,
            kind=Dispute.Kind.DAMAGED,
            statement="Broken.",
            answer_by=timezone.now(),
        )

    assert timers.orders_complete_due() == 0
    assert reload(order).status == Status.RECEIVED


# --- tasks and beat ---------------------------------------------------------------------------


def test_the_tasks_call_the_timers(buyer, variant):
    unpaid = make_order(
        buyer=buyer,
        variants=[variant],
        status=Status.AWAITING_PAYMENT,
        at=timezone.now() - timedelta(hours=2),
    )
    shipped = make_order(
        buyer=buyer,
        variants=[variant],
        status=Status.SHIPPED,
        at=timezone.now() - timedelta(days=settings.ORDERS_AUTO_RECEIVE_DAYS + 1),
    )
    received = make_order(
        buyer=buyer,
        variants=[variant],
        status=Status.RECEIVED,
        at=timezone.now() - timedelta(days=8),
    )

    assert tasks.cancel_unpaid_orders.delay().get() == 1
    assert tasks.confirm_receipt_due.delay().get() == 1
    assert tasks.complete_orders_due.delay().get() == 1

    assert reload(unpaid).status == Status.CANCELLED
    assert reload(shipped).status == Status.RECEIVED
    assert reload(received).status == Status.COMPLETED


def test_beat_runs_the_timers_often():
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    celery_app.loader.import_default_modules()
    for name in (
        "orders.tasks.cancel_unpaid_orders",
        "orders.tasks.confirm_receipt_due",
        "orders.tasks.complete_orders_due",
    ):
        assert name in celery_app.tasks
        assert schedule[name] <= 5 * 60
