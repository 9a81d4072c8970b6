"""The share button, the sharer's page, the stall's share figures and the admin."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from microstore.sharing.models import ShareLink
from microstore.sharing.services import share_link_for
from orders.models import Order, Status
from tests.catalog.factories import ProductFactory, PublishedProductFactory, VariantFactory
from tests.factories import ShopFactory, UserFactory
from tests.orders.factories import make_order
from tests.sharing.helpers import buy, share_product, share_shop, two_visits_one_order, visit

pytestmark = pytest.mark.django_db


def _referred(variant, link, *, status=Status.PAID, days_ago=0):
    """An order at the link's stall that came through ``link``."""
    order = make_order(
        variants=[variant], status=status, at=timezone.now() - timedelta(days=days_ago)
    )
    Order.objects.filter(pk=order.pk).update(
        referrer=link.user, share_link=link, placed_at=timezone.now() - timedelta(days=days_ago)
    )
    return order


# --- the share button -------------------------------------------------------------------------


def test_stall_and_product_pages_offer_a_share_button_to_logged_in_users(client, buyer, product):
    shop = product.shop
    assert "sharing" not in client.get(shop.get_absolute_url()).content.decode()

    client.force_login(buyer)

    assert (
        reverse("sharing:share-shop", args=[shop.slug])
        in client.get(shop.get_absolute_url()).content.decode()
    )
    assert (
        reverse("sharing:share-product", args=[shop.slug, product.slug])
        in client.get(product.get_absolute_url()).content.decode()
    )


def test_sharing_twice_gives_the_same_link(client, sharer, product):
    first = share_product(client, sharer, product)
    second = share_product(client, sharer, product)

    assert first == second
    assert ShareLink.objects.count() == 1
    assert len(first.code) >= 8


def test_a_shared_link_is_shown_ready_to_copy(client, sharer, product):
    link = share_product(client, sharer, product)

    page = client.get(reverse("sharing:mine"))

    assert f'value="http://testserver/share/{link.code}/"' in page.content.decode()
    assert "readonly" in page.content.decode()


def test_each_user_gets_their_own_link(sharer, buyer, shop):
    assert share_link_for(user=sharer, shop=shop).code != share_link_for(user=buyer, shop=shop).code


def test_sharing_needs_log_in_and_a_post(client, sharer, product):
    url = reverse("sharing:share-product", args=[product.shop.slug, product.slug])
    assert "login" in client.post(url).url
    client.force_login(sharer)
    assert client.get(url).status_code == 405


def test_a_draft_product_or_unknown_stall_cannot_be_shared(client, sharer, shop):
    draft = ProductFactory(shop=shop, slug="draft")
    client.force_login(sharer)

    assert (
        client.post(reverse("sharing:share-product", args=[shop.slug, "draft"])).status_code == 404
    )
    assert client.post(reverse("sharing:share-shop", args=["no-such-stall"])).status_code == 404
    assert not ShareLink.objects.filter(product=draft).exists()


def test_an_unknown_code_is_a_404(client):
    assert client.get(reverse("sharing:visit", args=["nope1234"])).status_code == 404


# --- the sharer's page ------------------------------------------------------------------------


def test_the_sharer_sees_visits_and_orders_but_no_buyers(sharer, buyer, variant):
    _link, me = two_visits_one_order(sharer, buyer, variant)

    page = me.get(reverse("sharing:mine"))

    [row] = page.context["links"]
    assert (row.visit_count, row.order_count) == (2, 1)
    body = page.content.decode()
    assert "2 visits" in body and "1 order" in body
    assert buyer.display_name not in body
    assert buyer.email not in body


def test_the_sharers_page_needs_log_in_and_shows_only_their_links(client, sharer, buyer, shop):
    share_link_for(user=buyer, shop=shop)
    assert "login" in client.get(reverse("sharing:mine")).url

    client.force_login(sharer)

    assert client.get(reverse("sharing:mine")).context["links"] == []


@pytest.mark.parametrize("count", [1, 30])
def test_the_sharers_page_has_bounded_queries(client, sharer, count, django_assert_max_num_queries):
    for _ in range(count):
        product = PublishedProductFactory(shop=ShopFactory())
        variant = VariantFactory(product=product)
        link = share_link_for(user=sharer, shop=product.shop, product=product)
        _referred(variant, link)
    client.force_login(sharer)

    with django_assert_max_num_queries(5):  # measured: 4 at both sizes
        page = client.get(reverse("sharing:mine"))

    assert len(page.context["links"]) == count


# --- the stall's share figures ----------------------------------------------------------------


def _stats_url(shop, days=None):
    url = reverse("sharing:shop-shares", args=[shop.slug])
    return f"{url}?days={days}" if days else url


def test_the_seller_sees_orders_revenue_and_top_sharers_per_period(client, owner, shop, variant):
    a, b = UserFactory(display_name="阿花"), UserFactory(display_name="Bo")
    link_a = share_link_for(user=a, shop=shop)
    link_b = share_link_for(user=b, shop=shop, product=variant.product)
    _referred(variant, link_a)
    _referred(variant, link_a, days_ago=10)
    _referred(variant, link_b, days_ago=40)
    _referred(variant, link_b, status=Status.CANCELLED)  # not counted
    _referred(variant, link_b, status=Status.AWAITING_PAYMENT)  # an order, no revenue yet
    make_order(variants=[variant])  # not through a share
    client.force_login(owner)

    week = client.get(_stats_url(shop, 7)).context["stats"]
    month = client.get(_stats_url(shop)).context["stats"]
    quarter = client.get(_stats_url(shop, 90))

    one = variant.price + Decimal("10.00")
    assert (week["orders"], week["revenue"]) == (2, one)
    assert (month["days"], month["orders"], month["revenue"]) == (30, 3, 2 * one)
    stats = quarter.context["stats"]
    assert (stats["orders"], stats["revenue"]) == (4, 3 * one)
    assert [(row["name"], row["orders"]) for row in stats["top"]] == [("阿花", 2), ("Bo", 2)]
    assert "阿花" in quarter.content.decode()


def test_an_unknown_period_falls_back_to_thirty_days(client, owner, shop):
    client.force_login(owner)
    assert client.get(_stats_url(shop, "x")).context["stats"]["days"] == 30
    assert client.get(_stats_url(shop, 5)).context["stats"]["days"] == 30


def test_another_stalls_share_figures_are_a_404(client, shop, stranger):
    ShopFactory(owner=stranger, slug="stranger-stall")
    assert "login" in client.get(_stats_url(shop)).url

    client.force_login(stranger)

    assert client.get(_stats_url(shop)).status_code == 404
    assert client.get(reverse("sharing:shop-shares", args=["no-such"])).status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_the_share_figures_page_has_bounded_queries(
    client, owner, shop, variant, count, django_assert_max_num_queries
):
    for _ in range(count):
        _referred(variant, share_link_for(user=UserFactory(), shop=shop))
    client.force_login(owner)

    with django_assert_max_num_queries(7):  # measured: 6 at both sizes
        page = client.get(_stats_url(shop))

    assert page.context["stats"]["orders"] == count


def test_the_stall_page_links_its_members_to_the_share_figures(client, owner, shop):
    client.force_login(owner)
    body = client.get(shop.get_absolute_url()).content.decode()
    assert reverse("sharing:shop-shares", args=[shop.slug]) in body


# --- admin ------------------------------------------------------------------------------------


def test_the_admin_lists_links_with_their_counts(client, admin_user, sharer, buyer, variant):
    link = share_shop(Client(), sharer, variant.product.shop)
    friend = Client()
    visit(friend, link)
    buy(friend, buyer, variant)
    client.force_login(admin_user)

    changelist = client.get(reverse("admin:sharing_sharelink_changelist"))
    change = client.get(reverse("admin:sharing_sharelink_change", args=[link.pk]))

    assert changelist.status_code == 200
    row = changelist.context["cl"].result_list[0]
    assert (row.visit_count, row.order_count) == (1, 1)
    assert change.status_code == 200
    assert client.get(reverse("admin:sharing_sharelink_add")).status_code == 403
