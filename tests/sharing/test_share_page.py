"""One share link's page: the link to copy, the QR code of the sharer's own link, what it
brought; and the seller seeing which orders came through a share."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.sharing.helpers import buy, share_product, share_shop, two_visits_one_order, visit
from tests.shops.test_qr import segno_matrix, svg_matrix

pytestmark = pytest.mark.django_db

SITE = "https://shop.example.com"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def test_sharing_leads_to_the_links_page_with_the_link_ready_to_copy(client, sharer, product):
    response = client.post(
        reverse("sharing:share-product", args=[product.shop.slug, product.slug]), follow=True
    )
    assert "login" in response.redirect_chain[-1][0]

    link = share_product(client, sharer, product)
    response = client.post(
        reverse("sharing:share-product", args=[product.shop.slug, product.slug]), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("sharing:detail", args=[link.code])
    body = response.text
    assert f'value="http://testserver/share/{link.code}/"' in body
    assert "Copy the link" in body and 'data-copy="#share-url"' in body
    assert reverse("sharing:qr", args=[link.code]) in body
    assert reverse("sharing:poster", args=[link.code]) in body


def test_a_stall_link_has_no_poster_button(client, sharer, shop):
    link = share_shop(client, sharer, shop)

    body = client.get(reverse("sharing:detail", args=[link.code])).text

    assert reverse("sharing:qr", args=[link.code]) in body
    assert reverse("sharing:poster", args=[link.code]) not in body


def test_the_qr_code_carries_the_sharers_own_link(client, sharer, product):
    link = share_product(client, sharer, product)

    response = client.get(reverse("sharing:qr", args=[link.code]))

    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert svg_matrix(response.text) == segno_matrix(f"{SITE}/share/{link.code}/")


def test_scanning_the_code_attributes_the_friends_order_to_the_sharer(sharer, buyer, variant):
    link = share_product(Client(), sharer, variant.product)
    friend = Client()

    landing = friend.get(f"/share/{link.code}/")  # the path the QR code carries
    order = buy(friend, buyer, variant)

    assert landing.url == variant.product.get_absolute_url()
    assert order.referrer == sharer


def test_the_links_page_counts_visits_and_orders(sharer, buyer, variant):
    link, me = two_visits_one_order(sharer, buyer, variant)

    body = me.get(reverse("sharing:detail", args=[link.code])).text

    assert "2 visits" in body and "1 order" in body
    assert buyer.display_name not in body


def test_another_users_link_page_and_qr_code_are_404(client, sharer, product, stranger):
    link = share_product(client, sharer, product)
    client.force_login(stranger)

    assert client.get(reverse("sharing:detail", args=[link.code])).status_code == 404
    assert client.get(reverse("sharing:qr", args=[link.code])).status_code == 404
    assert client.get(reverse("sharing:detail", args=["no-such-code"])).status_code == 404


def test_the_links_page_and_qr_code_need_a_login(sharer, product):
    link = share_product(Client(), sharer, product)
    anonymous = Client()

    for name in ("sharing:detail", "sharing:qr"):
        response = anonymous.get(reverse(name, args=[link.code]))
        assert response.status_code == 302 and "login" in response.url


def test_the_list_of_links_leads_to_each_links_page(client, sharer, product):
    link = share_product(client, sharer, product)

    assert reverse("sharing:detail", args=[link.code]) in client.get(reverse("sharing:mine")).text


@pytest.mark.parametrize("orders", [0, 20])
def test_the_links_page_has_bounded_queries(
    sharer, buyer, variant, orders, django_assert_max_num_queries
):
    link = share_product(Client(), sharer, variant.product)
    friend = Client()
    visit(friend, link)
    for _ in range(orders):
        buy(friend, buyer, variant)
    me = Client()
    me.force_login(sharer)

    # session, user, bell, the link, its figures
    with django_assert_max_num_queries(6):
        response = me.get(reverse("sharing:detail", args=[link.code]))

    assert response.status_code == 200


# --- the seller sees where an order came from ----------------------------------------------


def test_the_seller_sees_which_orders_came_through_a_share(owner, sharer, buyer, variant):
    link = share_product(Client(), sharer, variant.product)
    friend = Client()
    visit(friend, link)
    shared = buy(friend, buyer, variant)
    direct = buy(Client(), UserFactory(display_name="Walk-in"), variant)
    seller = Client()
    seller.force_login(owner)
    shop = variant.product.shop

    listing = seller.get(reverse("orders:seller-list", args=[shop.slug])).text
    shared_page = seller.get(reverse("orders:seller-detail", args=[shop.slug, shared.number])).text
    direct_page = seller.get(reverse("orders:seller-detail", args=[shop.slug, direct.number])).text

    assert listing.count("shared by A Sharer") == 1
    assert "A share by A Sharer" in shared_page
    assert "A share by" not in direct_page


def test_the_profile_page_leads_to_my_share_links(client, sharer):
    client.force_login(sharer)

    assert reverse("sharing:mine") in client.get(reverse("accounts:profile")).text
