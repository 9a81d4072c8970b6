"""Walking the real flow: a sharer makes a link, a visitor follows it and checks out."""

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
