"""Checkout: the service (one order per stall, all or nothing, idempotent) and its pages."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Product, StockMovement
from catalog.services import OutOfStock
from microstore.errors import DomainError
from microstore.notifications.models import Notification
from orders.models import (
    Action,
    Address,
    Cart,
    CartLine,
    CheckoutGroup,
    Order,
    OrderEvent,
    PaymentMethod,
    Status,
)
from orders.services.checkout import StallChoice, checkout_place
from tests.catalog.factories import PublishedProductFactory, VariantFactory
from tests.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

CHECKOUT = reverse("orders:checkout")


def make_address(user, **overrides) -> Address:
    values = {
        "recipient": "林梅",
        "mobile": "13812345678",
        "province": "shanghai",
        "city": "上海市",
        "district": "徐汇区",
        "street": "漕溪北路 88 号 3 号楼 1201 室",
        "postcode": "200030",
        "is_default": not Address.objects.filter(user=user).exists(),
    }
    return Address.objects.create(user=user, **{**values, **overrides})


def fill_cart(user, *lines) -> Cart:
    """``lines``: (variant, quantity) pairs, at today's price."""
    cart, _ = Cart.objects.get_or_create(user=user)
    for variant, quantity in lines:
        CartLine.objects.create(
            cart=cart, variant=variant, quantity=quantity, price_seen=variant.price
        )
    return cart


def variant_of(shop, *, price="30.00", stock=10, **product):
    return VariantFactory(
        product=PublishedProductFactory(shop=shop, **product), price=Decimal(price), stock=stock
    )


def place(buyer, cart, address, choices=None, token=None):
    if choices is None:
        shop_ids = {line.variant.shop_id for line in cart.lines.select_related("variant")}
        choices = {shop_id: StallChoice() for shop_id in shop_ids}
    return checkout_place(
        buyer=buyer, cart=cart, token=token or uuid.uuid4(), address=address, choices=choices
    )


# --- the service -------------------------------------------------------------------------------


def test_one_checkout_over_two_stalls_makes_one_order_per_stall(buyer, shop, variant, other_shop):
    # given goods of two stalls in the cart: two at ¥68 from 老高 (¥10 shipping), ¥30 from another
    other = variant_of(other_shop, price="30.00")
    cart = fill_cart(buyer, (variant, 2), (other, 1))
    address = make_address(buyer)

    # when the buyer checks out, paying 老高 directly
    group = place(
        buyer,
        cart,
        address,
        {
            shop.pk: StallChoice(PaymentMethod.DIRECT, "请用顺丰"),
            other_shop.pk: StallChoice(PaymentMethod.SANDBOX),
        },
    )

    # then two orders exist, each with its own number, totals, shipping and payment
    orders = {order.shop_id: order for order in group.orders.all()}
    assert set(orders) == {shop.pk, other_shop.pk}
    mine = orders[shop.pk]
    assert mine.subtotal == Decimal("136.00")
    assert mine.shipping_fee == Decimal("10.00")
    assert mine.total == Decimal("146.00")
    assert mine.payment_method == PaymentMethod.DIRECT
    assert mine.buyer_note == "请用顺丰"
    assert mine.status == Status.AWAITING_PAYMENT
    assert mine.recipient == "林梅" and mine.street == address.street
    assert mine.pay_by > mine.placed_at
    assert orders[other_shop.pk].payment_method == PaymentMethod.SANDBOX
    assert mine.number != orders[other_shop.pk].number
    assert len(mine.number) == 14 and mine.number.isdigit()
    # and the lines are snapshots of the goods at purchase
    line = mine.lines.get()
    assert (line.title, line.sku, line.unit_price, line.quantity, line.line_total) == (
        "铁观音 Tieguanyin",
        "TGY-250",
        Decimal("68.00"),
        2,
        Decimal("136.00"),
    )
    assert line.provenance == "complete"
    # and the stock was taken as a sale, the cart emptied, the timeline started
    variant.refresh_from_db()
    assert variant.stock == 8
    assert StockMovement.objects.filter(variant=variant, reason="sale", delta=-2).exists()
    assert not CartLine.objects.filter(cart=cart).exists()
    assert OrderEvent.objects.filter(order=mine, action=Action.PLACE, role="buyer").count() == 1


def test_free_shipping_applies_from_the_stalls_threshold(buyer, shop, variant):
    # given ¥204 of goods from a stall that ships free from ¥199
    cart = fill_cart(buyer, (variant, 3))

    # when placed
    order = place(buyer, cart, make_address(buyer)).orders.get()

    # then shipping is free
    assert (order.subtotal, order.shipping_fee, order.total) == (
        Decimal("204.00"),
        Decimal("0.00"),
        Decimal("204.00"),
    )


def test_the_stalls_owner_is_told_of_the_new_order(buyer, shop, variant, owner):
    cart = fill_cart(buyer, (variant, 1))

    order = place(buyer, cart, make_address(buyer)).orders.get()

    note = Notification.objects.get(recipient=owner, kind="orders.placed")
    assert note.context["number"] == order.number
    assert note.context["total"] == "78.00"
    assert note.context["buyer_name"] == "Mei Lin"
    assert note.target_url == order.get_seller_url()


def test_the_same_token_twice_returns_the_first_checkout(buyer, variant):
    cart = fill_cart(buyer, (variant, 1))
    address = make_address(buyer)
    token = uuid.uuid4()

    first = place(buyer, cart, address, token=token)
    again = place(buyer, cart, address, token=token)

    assert again.pk == first.pk
    assert Order.objects.count() == 1


def test_a_token_of_another_buyer_is_refused(buyer, stranger, variant):
    token = uuid.uuid4()
    place(buyer, fill_cart(buyer, (variant, 1)), make_address(buyer), token=token)

    with pytest.raises(DomainError):
        place(stranger, fill_cart(stranger, (variant, 1)), make_address(stranger), token=token)


def test_too_little_stock_rolls_back_every_stall(buyer, variant, other_shop):
    # given one stall's goods in stock and the other's with only 1 left, 2 wanted
    short = variant_of(other_shop, stock=1)
    cart = fill_cart(buyer, (variant, 1), (short, 2))

    # when checking out
    with pytest.raises(OutOfStock, match="Only 1"):
        place(buyer, cart, make_address(buyer))

    # then no order at all, no stock taken, the cart untouched
    assert not Order.objects.exists()
    assert not CheckoutGroup.objects.exists()
    variant.refresh_from_db()
    assert variant.stock == 10
    assert cart.lines.count() == 2


def test_a_changed_price_refuses_the_checkout_naming_it(buyer, variant):
    cart = fill_cart(buyer, (variant, 1))
    CartLine.objects.filter(cart=cart).update(price_seen=Decimal("60.00"))

    with pytest.raises(DomainError, match=r"was ¥60\.00"):
        place(buyer, cart, make_address(buyer))

    assert not Order.objects.exists()
    variant.refresh_from_db()
    assert variant.stock == 10


def test_sold_out_lines_are_left_in_the_cart(buyer, variant, other_shop):
    gone = variant_of(other_shop, stock=0)
    cart = fill_cart(buyer, (variant, 1), (gone, 1))

    group = place(buyer, cart, make_address(buyer))

    assert group.orders.count() == 1
    assert list(cart.lines.values_list("variant_id", flat=True)) == [gone.pk]


def test_a_cart_of_only_sold_out_goods_says_sold_out(buyer, other_shop):
    cart = fill_cart(buyer, (variant_of(other_shop, stock=0), 1))

    with pytest.raises(OutOfStock, match="sold out"):
        place(buyer, cart, make_address(buyer))


def test_goods_taken_off_sale_are_refused(buyer, variant):
    cart = fill_cart(buyer, (variant, 1))
    Product.objects.filter(pk=variant.product_id).update(status="draft")

    with pytest.raises(DomainError, match="no longer on sale"):
        place(buyer, cart, make_address(buyer))


def test_direct_payment_needs_the_stalls_instructions(buyer, other_shop):
    cart = fill_cart(buyer, (variant_of(other_shop), 1))

    with pytest.raises(DomainError, match="online payment only"):
        place(buyer, cart, make_address(buyer), {other_shop.pk: StallChoice(PaymentMethod.DIRECT)})


def test_someone_elses_address_is_refused(buyer, stranger, variant):
    cart = fill_cart(buyer, (variant, 1))

    with pytest.raises(DomainError):
        place(buyer, cart, make_address(stranger))
    assert not Order.objects.exists()


def test_an_empty_cart_is_refused(buyer):
    with pytest.raises(DomainError, match="empty"):
        place(buyer, fill_cart(buyer), make_address(buyer), {})


# --- the pages ---------------------------------------------------------------------------------


def _form_data(page, **extra):
    form = page.context["form"]
    data = {"token": form["token"].value(), "address": form["address"].value()}
    for name in form.fields:
        if name.startswith("pay_"):
            data[name] = "sandbox"
    return {**data, **extra}


def test_checkout_needs_login(client):
    response = client.get(CHECKOUT)
    assert response.status_code == 302
    assert "login" in response.url


def test_checkout_needs_a_confirmed_email(client, variant):
    user = UserFactory(verified=False)
    fill_cart(user, (variant, 1))
    client.force_login(user)

    response = client.get(CHECKOUT)

    assert response.status_code == 403
    assert "Confirm your email first" in response.content.decode()


def test_checkout_page_then_place_then_done_page(client, buyer, shop, variant):
    # given a buyer with an address and a cart
    fill_cart(buyer, (variant, 1))
    make_address(buyer)
    client.force_login(buyer)

    # when they open checkout and submit it as rendered
    page = client.get(CHECKOUT)
    assert page.status_code == 200
    assert "Pay the seller directly" in page.content.decode()
    response = client.post(CHECKOUT, _form_data(page))

    # then they land on the done page with the order, its number and a pay button
    group = CheckoutGroup.objects.get(buyer=buyer)
    assert response.status_code == 302
    assert response.url == reverse("orders:checkout-done", args=[group.token])
    done = client.get(response.url)
    order = group.orders.get()
    body = done.content.decode()
    assert order.number in body
    assert reverse("orders:pay", args=[order.number]) in body
    assert reverse("orders:detail", args=[order.number]) in body


def test_direct_payment_shows_the_stalls_instructions_when_done(client, buyer, shop, variant):
    fill_cart(buyer, (variant, 1))
    make_address(buyer)
    client.force_login(buyer)
    page = client.get(CHECKOUT)

    response = client.post(CHECKOUT, _form_data(page, **{f"pay_{shop.pk}": "direct"}), follow=True)

    assert "招商银行 6225 8801 2345 6789" in response.content.decode()


def test_a_double_submitted_form_places_the_orders_once(client, buyer, variant):
    fill_cart(buyer, (variant, 1))
    make_address(buyer)
    client.force_login(buyer)
    data = _form_data(client.get(CHECKOUT))

    first = client.post(CHECKOUT, data)
    second = client.post(CHECKOUT, data)

    assert first.url == second.url
    assert Order.objects.count() == 1


def test_a_new_address_can_be_given_at_checkout(client, buyer, variant):
    fill_cart(buyer, (variant, 1))
    client.force_login(buyer)
    page = client.get(CHECKOUT)
    assert page.context["form"]["address"].value() == "new"
    data = _form_data(
        page,
        **{
            "new-recipient": "王芳",
            "new-mobile": "139 1234 5678",
            "new-province": "zhejiang",
            "new-city": "杭州市",
            "new-district": "西湖区",
            "new-street": "文三路 1 号",
        },
    )

    response = client.post(CHECKOUT, data)

    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.recipient, order.mobile, order.city) == ("王芳", "13912345678", "杭州市")
    assert Address.objects.get(user=buyer).is_default


def test_a_bad_new_address_re_renders_with_what_was_typed(client, buyer, variant):
    fill_cart(buyer, (variant, 1))
    client.force_login(buyer)
    data = _form_data(client.get(CHECKOUT), **{"new-recipient": "王芳", "new-mobile": "12345"})

    response = client.post(CHECKOUT, data)

    assert response.status_code == 400
    body = response.content.decode()
    assert "11-digit mainland mobile number" in body
    assert 'value="王芳"' in body
    assert not Order.objects.exists()


def test_a_sold_out_cart_re_renders_with_the_sold_out_message(client, buyer, variant):
    fill_cart(buyer, (variant, 1))
    make_address(buyer)
    client.force_login(buyer)
    data = _form_data(client.get(CHECKOUT), **{f"note_{variant.shop_id}": "thanks"})
    variant.__class__.objects.filter(pk=variant.pk).update(stock=0)

    response = client.post(CHECKOUT, data)

    # then the form comes back with the clear "sold out" message
    assert response.status_code == 409
    assert "is sold out" in response.content.decode()
    assert not Order.objects.exists()


def test_a_price_change_between_page_and_submit_is_refused_clearly(client, buyer, variant):
    fill_cart(buyer, (variant, 1))
    make_address(buyer)
    client.force_login(buyer)
    data = _form_data(client.get(CHECKOUT), **{f"note_{variant.shop_id}": "请尽快"})
    variant.__class__.objects.filter(pk=variant.pk).update(price=Decimal("70.00"))

    response = client.post(CHECKOUT, data)

    assert response.status_code == 409
    body = response.content.decode()
    assert "now ¥70.00" in body
    assert "请尽快" in body  # what was typed is still there
    assert not Order.objects.exists()


def test_a_bad_token_is_a_clear_400(client, buyer, variant):
    fill_cart(buyer, (variant, 1))
    make_address(buyer)
    client.force_login(buyer)
    data = _form_data(client.get(CHECKOUT), token="not-a-token")

    response = client.post(CHECKOUT, data)

    assert response.status_code == 400
    assert "reload the page" in response.content.decode()


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(client, buyer):
    client.force_login(buyer)

    response = client.get(CHECKOUT)

    assert response.status_code == 302
    assert response.url == reverse("orders:cart")


def test_another_buyers_checkout_is_404(client, buyer, stranger, variant):
    group = place(buyer, fill_cart(buyer, (variant, 1)), make_address(buyer))
    client.force_login(stranger)

    assert client.get(reverse("orders:checkout-done", args=[group.token])).status_code == 404
    assert client.get(reverse("orders:checkout-done", args=[uuid.uuid4()])).status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_checkout_page_queries_are_bounded(count, client, buyer, django_assert_max_num_queries):
    # given a cart of ``count`` lines over up to 3 stalls
    shops = [ShopFactory(payment_instructions="cash") for _ in range(3)]
    fill_cart(buyer, *((variant_of(shops[i % 3]), 1) for i in range(count)))
    make_address(buyer)
    client.force_login(buyer)

    # then the page costs the same handful of queries at 1 and 30 lines: session, user,
    # email check, cart, lines (goods and stalls joined), addresses, the bell, saving the
    # header count in the session
    with django_assert_max_num_queries(10):
        response = client.get(CHECKOUT)
    assert response.status_code == 200


# --- the stall's shipping and payment settings -------------------------------------------------

STALL_FORM = {
    "name": "老高的茶叶铺",
    "region": "fujian",
    "city": "Anxi",
}


def test_the_owner_sets_shipping_and_direct_payment_on_the_stall_page(client, owner, shop):
    client.force_login(owner)

    response = client.post(
        reverse("shops:manage", args=[shop.slug]),
        {
            **STALL_FORM,
            "shipping_fee": "12.50",
            "free_shipping_over": "300",
            "payment_instructions": "  微信转账 laogao-tea  ",
        },
    )

    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.shipping_fee == Decimal("12.50")
    assert shop.free_shipping_over == Decimal("300.00")
    assert shop.payment_instructions == "微信转账 laogao-tea"


def test_empty_shipping_settings_mean_free_and_never_free(client, owner, shop):
    client.force_login(owner)

    client.post(reverse("shops:manage", args=[shop.slug]), STALL_FORM)

    shop.refresh_from_db()
    assert (shop.shipping_fee, shop.free_shipping_over, shop.payment_instructions) == (
        Decimal("0.00"),
        None,
        "",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("shipping_fee", "-1", "cannot be negative"),
        ("free_shipping_over", "-5", "cannot be negative"),
        ("shipping_fee", "1.234", "two decimal places"),
        ("shipping_fee", "ten", "Enter an amount in yuan"),
    ],
)
def test_bad_shipping_settings_are_refused(client, owner, shop, field, value, message):
    client.force_login(owner)

    response = client.post(reverse("shops:manage", args=[shop.slug]), {**STALL_FORM, field: value})

    assert response.status_code == 400
    assert message in response.content.decode()
    shop.refresh_from_db()
    assert shop.shipping_fee == Decimal("10.00")


def test_paying_the_seller_directly_leaves_days_not_minutes(settings):
    from django.utils import timezone

    from orders.services.checkout import pay_by

    now = timezone.now()
    assert pay_by("direct", now) == now + timedelta(hours=settings.ORDERS_DIRECT_PAYMENT_HOURS)
    assert pay_by("sandbox", now) == now + timedelta(minutes=settings.ORDERS_PAYMENT_MINUTES)
