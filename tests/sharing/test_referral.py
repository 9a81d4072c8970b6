"""The referral rule: one level, a window, no self-referral, no referring your own stall."""

import time

import pytest
from django.core import signing
from django.test import Client

from microstore.sharing.models import ShareVisit
from microstore.sharing.services import COOKIE_NAME
from orders.services.checkout import StallChoice, checkout_place
from tests.factories import ShopFactory, UserFactory
from tests.orders.test_checkout import fill_cart, make_address, variant_of
from tests.sharing.helpers import buy, share_product, share_shop, visit

pytestmark = pytest.mark.django_db

DAY = 24 * 60 * 60


def _visit_at(monkeypatch, client, link, *, days_ago):
    """Follow ``link`` as if ``days_ago`` days had passed since (the clock is faked only
    while the cookie is signed)."""
    stamp = signing.b62_encode(int(time.time() - days_ago * DAY))
    with monkeypatch.context() as patch:
        patch.setattr(signing.TimestampSigner, "timestamp", lambda self: stamp)
        return visit(client, link)


def test_a_visit_counts_sets_a_signed_cookie_and_goes_to_the_product(sharer, product):
    link = share_product(Client(), sharer, product)
    friend = Client()

    response = visit(friend, link)

    assert response.status_code == 302
    assert response.url == product.get_absolute_url()
    assert ShareVisit.objects.filter(link=link).count() == 1
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"]
    assert int(cookie["max-age"]) == 7 * DAY
    assert signing.loads(cookie.value, salt="sharing") == {"code": link.code}


def test_an_order_inside_the_window_records_the_sharer(monkeypatch, sharer, buyer, variant):
    # given a friend opened the sharer's link six days ago
    link = share_product(Client(), sharer, variant.product)
    friend = Client()
    _visit_at(monkeypatch, friend, link, days_ago=6)

    # when they buy at that stall
    order = buy(friend, buyer, variant)

    # then the order records the sharer and the link
    assert order.referrer == sharer
    assert order.share_link == link


def test_an_order_after_the_window_records_nobody(monkeypatch, sharer, buyer, variant):
    link = share_product(Client(), sharer, variant.product)
    friend = Client()
    _visit_at(monkeypatch, friend, link, days_ago=8)

    order = buy(friend, buyer, variant)

    assert order.referrer is None
    assert order.share_link is None


def test_the_window_follows_the_setting(monkeypatch, settings, sharer, buyer, variant):
    settings.SHARE_ATTRIBUTION_DAYS = 30
    link = share_product(Client(), sharer, variant.product)
    friend = Client()
    _visit_at(monkeypatch, friend, link, days_ago=20)

    assert buy(friend, buyer, variant).referrer == sharer


def test_a_stall_link_refers_orders_of_that_stall_only(sharer, buyer, shop, variant, stranger):
    # given a link to 老高's stall, and goods of another stall in the same cart
    other = variant_of(ShopFactory(owner=stranger, slug="other-stall"))
    link = share_shop(Client(), sharer, shop)
    friend = Client()
    visit(friend, link)
    friend.force_login(buyer)
    fill_cart(buyer, (other, 1))

    # when the friend checks out both stalls at once
    buy(friend, buyer, variant)

    # then only 老高's order is credited to the sharer
    orders = {order.shop_id: order for order in buyer.orders.all()}
    assert orders[shop.pk].referrer == sharer
    assert orders[other.product.shop_id].referrer is None


def test_nobody_refers_themselves(sharer, variant):
    # given the sharer follows their own link (counted as nothing) and buys
    client = Client()
    link = share_product(client, sharer, variant.product)
    response = visit(client, link)
    assert COOKIE_NAME not in response.cookies
    assert not ShareVisit.objects.exists()

    order = buy(client, sharer, variant)

    assert order.referrer is None


def test_the_service_refuses_a_self_referral_even_when_asked(sharer, variant):
    # given the sharer's own link handed straight to the checkout service
    link = share_product(Client(), sharer, variant.product)
    cart = fill_cart(sharer, (variant, 1))

    group = checkout_place(
        buyer=sharer,
        cart=cart,
        token="6f1c2a3e-0000-4000-8000-000000000001",
        address=make_address(sharer),
        choices={variant.product.shop_id: StallChoice()},
        share_link=link,
        referrer=sharer,
    )

    assert group.orders.get().referrer is None


def test_a_stall_member_sharing_their_own_stall_gets_a_plain_link(owner, buyer, shop, variant):
    # given 老高 shares his own stall and a friend follows it
    link = share_shop(Client(), owner, shop)
    friend = Client()
    response = visit(friend, link)
    assert response.url == shop.get_absolute_url()  # the link works…

    order = buy(friend, buyer, variant)

    assert order.referrer is None  # …but refers nothing
    assert order.share_link is None


def test_exactly_one_level(buyer, variant):
    # given A shares; B buys through A's link and then shares; C buys through B's link
    a, b, c = UserFactory(display_name="A"), UserFactory(display_name="B"), buyer
    link_a = share_product(Client(), a, variant.product)
    b_browser = Client()
    visit(b_browser, link_a)
    b_order = buy(b_browser, b, variant)
    link_b = share_product(b_browser, b, variant.product)
    c_browser = Client()
    visit(c_browser, link_b)

    c_order = buy(c_browser, c, variant)

    # then C's order names B and only B; nothing about A
    assert b_order.referrer == a
    assert c_order.referrer == b
    assert c_order.share_link == link_b
    assert list(a.referred_orders.all()) == [b_order]
    assert list(b.referred_orders.all()) == [c_order]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda value: value[:-1] + ("A" if value[-1] != "A" else "B"),  # signature changed
        lambda value: "x" + value,  # payload changed
        lambda value: signing.dumps({"code": value}, salt="not-sharing"),  # another salt
        lambda value: "garbage",
    ],
)
def test_a_tampered_cookie_is_ignored(tamper, sharer, buyer, variant):
    link = share_product(Client(), sharer, variant.product)
    friend = Client()
    value = visit(friend, link).cookies[COOKIE_NAME].value
    friend.cookies[COOKIE_NAME] = tamper(value)

    order = buy(friend, buyer, variant)

    assert order.referrer is None


def test_a_forged_code_without_our_key_is_ignored(sharer, buyer, variant, settings):
    link = share_product(Client(), sharer, variant.product)
    forged = signing.dumps({"code": link.code}, key="not-our-secret", salt="sharing")
    friend = Client()
    friend.cookies[COOKIE_NAME] = forged

    assert buy(friend, buyer, variant).referrer is None
