"""Walking the real flow: a sharer makes a link, a visitor follows it and checks out."""

from django.test import Client
from django.urls import reverse

from microstore.sharing.models import ShareLink
from orders.models import Order
from tests.orders.test_checkout import _form_data, fill_cart, make_address

CHECKOUT = reverse("orders:checkout")


def share_product(client, user, product) -> ShareLink:
    client.force_login(user)
    response = client.post(reverse("sharing:share-product", args=[product.shop.slug, product.slug]))
    assert response.status_code == 302
    return ShareLink.objects.get(user=user, product=product)


def share_shop(client, user, shop) -> ShareLink:
    client.force_login(user)
    response = client.post(reverse("sharing:share-shop", args=[shop.slug]))
    assert response.status_code == 302
    return ShareLink.objects.get(user=user, shop=shop, product=None)


def visit(client, link):
    return client.get(link.get_absolute_url())


def buy(client, buyer, variant, quantity=1) -> Order:
    """``buyer`` checks out ``variant`` in ``client`` (whose cookies carry any attribution)."""
    client.force_login(buyer)
    fill_cart(buyer, (variant, quantity))
    if not buyer.addresses.exists():
        make_address(buyer)
    response = client.post(CHECKOUT, _form_data(client.get(CHECKOUT)))
    assert response.status_code == 302, response.content.decode()[:500]
    return Order.objects.filter(buyer=buyer).order_by("-pk").first()


def two_visits_one_order(sharer, buyer, variant) -> tuple[ShareLink, Client]:
    """``sharer`` shares ``variant``'s product; two friends open the link, one of them
    (``buyer``) buys. Returns the link and a client logged in as the sharer."""
    link = share_product(Client(), sharer, variant.product)
    friend = Client()
    visit(friend, link)
    visit(Client(), link)
    buy(friend, buyer, variant)
    me = Client()
    me.force_login(sharer)
    return link, me
