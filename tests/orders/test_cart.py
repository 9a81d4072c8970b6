"""The cart: adding from the product page, changing and removing (with and without htmx),
price and stock changes shown and never silently applied, and the merge on log-in."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Product, Variant
from orders.models import Cart, CartLine
from orders.services.cart import SESSION_KEY, cart_merge
from shops.models import Shop
from tests.catalog.factories import PublishedProductFactory, VariantFactory
from tests.factories import PASSWORD, ShopFactory

pytestmark = pytest.mark.django_db

CART = reverse("orders:cart")
ADD = reverse("orders:cart-add")


def add(client, variant, quantity=1, **headers):
    return client.post(ADD, {"variant": variant.pk, "quantity": quantity}, headers=headers)


def lines_of(user) -> dict:
    return dict(CartLine.objects.filter(cart__user=user).values_list("variant__sku", "quantity"))


# --- adding ------------------------------------------------------------------------------------


def test_the_product_page_has_an_add_to_cart_form(client, variant):
    page = client.get(variant.product.get_absolute_url())

    body = page.content.decode()
    assert f'action="{ADD}"' in body
    assert f'name="variant" value="{variant.pk}"' in body


def test_an_anonymous_shopper_adds_to_a_session_cart(client, variant):
    # when a visitor adds two
    response = add(client, variant, 2)

    # then they go to the cart, which shows the line; the header counts it
    assert response.status_code == 302 and response.url == CART
    cart = Cart.objects.get(token=client.session[SESSION_KEY])
    assert cart.user is None
    assert cart.lines.get().quantity == 2
    page = client.get(CART)
    body = page.content.decode()
    assert "铁观音 Tieguanyin" in body
    assert 'class="cart-link__count" aria-hidden="true">2<' in body


def test_a_logged_in_shopper_adds_to_the_stored_cart(client, buyer, variant):
    client.force_login(buyer)

    add(client, variant, 1)
    add(client, variant, 2)

    assert lines_of(buyer) == {"TGY-250": 3}
    assert CartLine.objects.get(cart__user=buyer).price_seen == Decimal("68.00")


def test_adding_more_than_the_stock_is_refused_with_the_count(client, buyer, variant):
    client.force_login(buyer)
    add(client, variant, 8)

    response = add(client, variant, 3)

    assert response.status_code == 400
    assert "Only 10 of" in response.content.decode()
    assert "8 are already in your cart" in response.content.decode()
    assert lines_of(buyer) == {"TGY-250": 8}


def test_a_line_is_capped_at_99(client, buyer, variant):
    Variant.objects.filter(pk=variant.pk).update(stock=500)
    client.force_login(buyer)

    response = add(client, variant, 100)

    assert response.status_code == 400
    assert "At most 99" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda v: Product.objects.filter(pk=v.product_id).update(status="draft"), "no longer on"),
        (lambda v: Product.objects.filter(pk=v.product_id).update(status="hidden"), "no longer on"),
        (lambda v: Shop.objects.filter(pk=v.shop_id).update(status="suspended"), "not selling"),
        (lambda v: Shop.objects.filter(pk=v.shop_id).update(status="closed"), "not selling"),
        (lambda v: Shop.objects.filter(pk=v.shop_id).update(status="paused"), "on holiday"),
        (lambda v: Variant.objects.filter(pk=v.pk).update(stock=0), "sold out"),
    ],
)
def test_goods_that_cannot_be_bought_are_refused_clearly(client, variant, change, message):
    change(variant)

    response = add(client, variant)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CartLine.objects.exists()


def test_an_unknown_variant_or_a_bad_quantity_is_a_400(client, variant):
    assert client.post(ADD, {"variant": 999999, "quantity": 1}).status_code == 400
    assert client.post(ADD, {"variant": variant.pk, "quantity": "lots"}).status_code == 400
    assert client.post(ADD, {"variant": variant.pk, "quantity": 0}).status_code == 400


# --- the cart page -----------------------------------------------------------------------------


def test_the_cart_groups_lines_by_stall_with_shipping_and_free_from(
    client, buyer, shop, variant, other_shop
):
    other = VariantFactory(product=PublishedProductFactory(shop=other_shop), price=Decimal("5"))
    client.force_login(buyer)
    add(client, variant, 1)
    add(client, other, 2)

    page = client.get(CART)

    summary = page.context["summary"]
    assert [group.shop for group in summary.groups] == [shop, other_shop]
    mine = summary.groups[0]
    assert (mine.subtotal, mine.shipping, mine.total) == (
        Decimal("68.00"),
        Decimal("10.00"),
        Decimal("78.00"),
    )
    assert mine.free_shipping_missing == Decimal("131.00")
    assert summary.total == Decimal("88.00")
    body = page.content.decode()
    assert "Free shipping from ¥199.00: ¥131.00 more from this stall." in body
    assert "老高的茶叶铺" in body and "Other stall" in body


def test_a_price_change_is_shown_and_blocks_checkout_until_accepted(client, buyer, variant):
    # given a line added at ¥68, since raised to ¥72
    client.force_login(buyer)
    add(client, variant, 1)
    Variant.objects.filter(pk=variant.pk).update(price=Decimal("72.00"))

    # then the cart says so, and offers no checkout
    body = client.get(CART).content.decode()
    assert "Was ¥68.00 when you added it, now ¥72.00." in body
    assert reverse("orders:checkout") not in body
    assert CartLine.objects.get().price_seen == Decimal("68.00")  # nothing applied

    # when the shopper accepts the new prices
    client.post(reverse("orders:cart-accept"))

    # then the line carries the new price and checkout is offered
    assert CartLine.objects.get().price_seen == Decimal("72.00")
    assert reverse("orders:checkout") in client.get(CART).content.decode()


def test_sold_out_and_short_lines_are_flagged(client, buyer, variant, other_shop):
    other = VariantFactory(product=PublishedProductFactory(shop=other_shop))
    client.force_login(buyer)
    add(client, variant, 5)
    add(client, other, 1)
    Variant.objects.filter(pk=variant.pk).update(stock=3)
    Variant.objects.filter(pk=other.pk).update(stock=0)

    body = client.get(CART).content.decode()

    assert "Only 3 left: lower the quantity to check out." in body
    assert "Sold out: it is left out of checkout." in body


def test_quantity_change_and_remove_without_javascript(client, buyer, variant):
    client.force_login(buyer)
    add(client, variant, 1)

    response = client.post(reverse("orders:cart-update", args=[variant.pk]), {"quantity": 4})
    assert response.status_code == 302 and response.url == CART
    assert lines_of(buyer) == {"TGY-250": 4}

    response = client.post(reverse("orders:cart-remove", args=[variant.pk]))
    assert response.status_code == 302
    assert lines_of(buyer) == {}


def test_quantity_change_with_htmx_answers_the_cart_partial(client, buyer, variant):
    client.force_login(buyer)
    add(client, variant, 1)

    response = client.post(
        reverse("orders:cart-update", args=[variant.pk]),
        {"quantity": 2},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div class="cart" id="cart">')
    assert "<html" not in body
    assert 'id="cart-link"' in body and 'hx-swap-oob="true"' in body
    assert "¥136.00" in body


def test_a_quantity_above_the_stock_is_refused_with_htmx_too(client, buyer, variant):
    client.force_login(buyer)
    add(client, variant, 1)

    response = client.post(
        reverse("orders:cart-update", args=[variant.pk]),
        {"quantity": 11},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    assert "Only 10 of" in response.content.decode()
    assert lines_of(buyer) == {"TGY-250": 1}


def test_quantity_zero_removes_the_line(client, buyer, variant):
    client.force_login(buyer)
    add(client, variant, 1)

    client.post(reverse("orders:cart-update", args=[variant.pk]), {"quantity": 0})

    assert lines_of(buyer) == {}


def test_nobody_changes_another_shoppers_cart(client, buyer, stranger, variant):
    # given the buyer's cart
    client.force_login(buyer)
    add(client, variant, 2)

    # when a stranger posts changes for the same variant
    client.force_login(stranger)
    client.post(reverse("orders:cart-update", args=[variant.pk]), {"quantity": 9})
    client.post(reverse("orders:cart-remove", args=[variant.pk]))

    # then the buyer's cart is untouched
    assert lines_of(buyer) == {"TGY-250": 2}


@pytest.mark.parametrize("count", [1, 30])
def test_cart_page_queries_are_bounded(count, client, buyer, django_assert_max_num_queries):
    shops = [ShopFactory() for _ in range(3)]
    cart = Cart.objects.create(user=buyer)
    for i in range(count):
        variant = VariantFactory(product=PublishedProductFactory(shop=shops[i % 3]))
        CartLine.objects.create(cart=cart, variant=variant, quantity=1, price_seen=variant.price)
    client.force_login(buyer)

    # session, user, cart, lines (goods and stalls joined), the bell, saving the session
    with django_assert_max_num_queries(8):
        response = client.get(CART)
    assert response.status_code == 200
    assert len(response.context["summary"].lines) == count


# --- merging on log-in -------------------------------------------------------------------------


def test_logging_in_merges_the_anonymous_cart_into_the_stored_one(
    client, buyer, variant, other_shop
):
    # given a stored cart with 2 of the tea, and an anonymous session with 9 more and another item
    other = VariantFactory(product=PublishedProductFactory(shop=other_shop))
    stored = Cart.objects.create(user=buyer)
    CartLine.objects.create(cart=stored, variant=variant, quantity=2, price_seen=variant.price)
    add(client, variant, 9)
    add(client, other, 1)
    anonymous_token = client.session[SESSION_KEY]

    # when the shopper logs in
    response = client.post(reverse("account_login"), {"login": buyer.email, "password": PASSWORD})

    # then the carts are one: quantities added up but capped by the stock (10), the other kept
    assert response.status_code == 302
    assert lines_of(buyer) == {"TGY-250": 10, other.sku: 1}
    assert not Cart.objects.filter(token=anonymous_token).exists()
    body = client.get(CART).content.decode()
    assert 'class="cart-link__count" aria-hidden="true">11<' in body


def test_merging_keeps_the_price_the_shopper_saw_first(buyer, variant):
    stored = Cart.objects.create(user=buyer)
    CartLine.objects.create(cart=stored, variant=variant, quantity=1, price_seen=Decimal("60"))
    anonymous = Cart.objects.create()
    CartLine.objects.create(cart=anonymous, variant=variant, quantity=1, price_seen=variant.price)

    cart_merge(token=anonymous.token, user=buyer)

    line = CartLine.objects.get(cart=stored)
    assert (line.quantity, line.price_seen) == (2, Decimal("60.00"))


def test_merging_an_unknown_or_bad_token_does_nothing(buyer):
    assert cart_merge(token="not-a-uuid", user=buyer) is None
    assert cart_merge(token="6b1f1c8e-0000-4000-8000-000000000000", user=buyer) is None
