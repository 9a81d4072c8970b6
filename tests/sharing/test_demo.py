"""The demo shows sharing at work: a link that brought an order, seen by both sides."""

import pytest
from django.urls import reverse

from microstore import demo
from microstore.sharing import demo as sharing_demo
from microstore.sharing.models import ShareLink
from orders.models import Order, Status

pytestmark = pytest.mark.django_db


def test_demo_share_link_brought_an_order_both_sides_can_see(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    assert sharing_demo.seed_sharing() == []  # idempotent

    link = ShareLink.objects.get(user__email=sharing_demo.CHENLU)
    order = Order.objects.get(share_link=link)
    assert order.referrer == link.user and order.status == Status.PAID
    assert ShareLink.objects.filter(user__email=sharing_demo.XIAOMEI, product=None).exists()

    client.force_login(link.user)
    mine = client.get(reverse("sharing:detail", args=[link.code])).text
    assert "4 visits" in mine and "1 order" in mine

    client.force_login(order.shop.members.get().user)
    seller = client.get(reverse("orders:seller-detail", args=[order.shop.slug, order.number]))
    assert f"A share by {link.user.display_name}" in seller.text
    stats = client.get(reverse("sharing:shop-shares", args=[order.shop.slug])).text
    assert link.user.display_name in stats
