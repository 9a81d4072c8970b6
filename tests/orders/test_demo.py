"""The demo orders are made through the real services, once, and cover every page."""

import pytest
from django.urls import reverse

from microstore import demo
from orders import demo as orders_demo
from orders.models import Dispute, Order, ReturnRequest, Status

pytestmark = pytest.mark.django_db


def test_demo_orders_in_every_state_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    assert orders_demo.seed_orders() == 0  # idempotent

    # 小美's orders (the reviews demo adds other shoppers' orders: reviews/demo.py).
    orders = Order.objects.filter(buyer__email=orders_demo.BUYER)
    statuses = sorted(orders.values_list("status", flat=True))
    assert statuses == sorted(
        [
            Status.COMPLETED,
            Status.SHIPPED,
            Status.RECEIVED,
            Status.SHIPPED,
            Status.AWAITING_PAYMENT,
            Status.PAID,
        ]
    )
    assert ReturnRequest.objects.get().status == ReturnRequest.Status.REQUESTED
    assert Dispute.objects.get().status == Dispute.Status.ESCALATED
    xiaomei = orders.first().buyer
    assert xiaomei.cart.lines.count() == 2
    # One checkout over two stalls.
    assert orders.values("checkout").distinct().count() == 5

    client.force_login(xiaomei)
    page = client.get(reverse("orders:list"))
    assert page.status_code == 200
    for order in orders:
        assert order.number in page.text
    assert client.get(reverse("orders:cart")).status_code == 200
