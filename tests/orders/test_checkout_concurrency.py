"""Checkout under concurrency, on PostgreSQL, with real threads each on its own connection.

Many buyers for the last items, the same form submitted twice at once, carts over several
stalls holding the same goods in different orders; and a control run with the stock locks
switched off, which must oversell, to prove the first test can fail.
"""

import uuid
from decimal import Decimal

import pytest

from catalog import services as catalog_services
from catalog.models import Variant
from catalog.services import OutOfStock
from orders.models import Address, Cart, CartLine, CheckoutGroup, Order
from orders.services.checkout import StallChoice, checkout_place
from tests.catalog.factories import PublishedProductFactory, VariantFactory
from tests.factories import ShopFactory, _quick_user
from tests.parallel import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _buyer_with_cart(variants_in_order):
    """A confirmed buyer with an address and a cart of one of each variant, added in the
    order given."""
    user = _quick_user()
    address = Address.objects.create(
        user=user,
        recipient="林梅",
        mobile="13812345678",
        province="shanghai",
        city="上海市",
        district="徐汇区",
        street="漕溪北路 88 号",
        is_default=True,
    )
    cart = Cart.objects.create(user=user)
    for variant in variants_in_order:
        CartLine.objects.create(cart=cart, variant=variant, quantity=1, price_seen=variant.price)
    return user, cart, address


def _variant(stock: int, *, shop=None) -> Variant:
    shop = shop or ShopFactory()
    product = PublishedProductFactory(shop=shop)
    return VariantFactory(product=product, stock=stock, price=Decimal("68.00"))


def _checkout_job(buyer, cart, address, token=None):
    shop_ids = set(
        CartLine.objects.filter(cart=cart).values_list("variant__product__shop_id", flat=True)
    )
    choices = {shop_id: StallChoice() for shop_id in shop_ids}
    token = token or uuid.uuid4()
    return lambda: checkout_place(
        buyer=buyer, cart=cart, token=token, address=address, choices=choices
    )


def _fifty_buyers_for_ten():
    variant = _variant(stock=10)
    jobs = [_checkout_job(*_buyer_with_cart([variant])) for _ in range(50)]
    return variant, at_once(jobs)


def test_fifty_parallel_checkouts_of_ten_in_stock_make_exactly_ten_orders():
    # given a variant with 10 in stock and 50 buyers each holding one in their cart
    # when they all check out at the same moment
    variant, results = _fifty_buyers_for_ten()

    # then exactly 10 orders exist, the stock is 0, and every other buyer was told "sold out"
    placed = [r for r in results if isinstance(r, CheckoutGroup)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(placed) == 10
    assert Order.objects.count() == 10
    variant.refresh_from_db()
    assert variant.stock == 0
    assert len(refused) == 40
    assert all(isinstance(exc, OutOfStock) for exc in refused), {type(e) for e in refused}
    assert all("sold out" in exc.message for exc in refused)
    # and the refused buyers still have their line, for later
    assert CartLine.objects.filter(variant=variant).count() == 40


def test_the_control_run_without_stock_locks_oversells(monkeypatch):
    # given the same run with the row locks switched off (the test-only switch)
    monkeypatch.setattr(catalog_services, "STOCK_LOCKING", False)

    # when 50 buyers check out at once
    _variant_row, results = _fifty_buyers_for_ten()

    # then more than 10 orders are placed: the first test really can fail
    placed = [r for r in results if isinstance(r, CheckoutGroup)]
    print(f"control run without locks: {len(placed)} orders for 10 in stock")
    assert len(placed) > 10, f"only {len(placed)} orders: the control did not oversell"


def test_the_same_token_submitted_twice_in_parallel_places_one_order_set():
    # given one buyer with goods of two stalls in the cart
    first, second = _variant(stock=5), _variant(stock=5)
    buyer, cart, address = _buyer_with_cart([first, second])
    token = uuid.uuid4()
    job = _checkout_job(buyer, cart, address, token=token)

    # when the same form (same token) is submitted twice at the same moment
    results = at_once([job, job])

    # then both submissions answer with the same checkout, holding one order per stall
    assert all(isinstance(r, CheckoutGroup) for r in results), results
    assert results[0].pk == results[1].pk
    assert CheckoutGroup.objects.count() == 1
    assert Order.objects.count() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.stock, second.stock) == (4, 4)


def test_parallel_multi_stall_carts_in_different_orders_never_deadlock_or_split():
    # given three stalls, one variant each, with stock for some carts but not all
    variants = [_variant(stock=12), _variant(stock=8), _variant(stock=20)]
    orders_of_adding = [
        [0, 1, 2],
        [2, 1, 0],
        [1, 0, 2],
        [2, 0, 1],
        [0, 2, 1],
        [1, 2, 0],
    ]
    jobs = []
    for i in range(30):
        in_order = [variants[k] for k in orders_of_adding[i % len(orders_of_adding)]]
        jobs.append(_checkout_job(*_buyer_with_cart(in_order)))

    # when the 30 carts check out at once
    results = at_once(jobs)

    # then nothing failed but for lack of stock (no deadlock), 8 checkouts went through
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(exc, OutOfStock) for exc in errors), [repr(e) for e in errors]
    placed = [r for r in results if isinstance(r, CheckoutGroup)]
    assert len(placed) == 8
    # and every checkout has all three stalls' orders: never a partial set
    for group in CheckoutGroup.objects.all():
        assert group.orders.count() == 3
    assert CheckoutGroup.objects.count() == 8
    stocks = [Variant.objects.get(pk=v.pk).stock for v in variants]
    assert stocks == [4, 0, 12]
