"""The buyer's order pages: "My orders", one order with its timeline, cancel and confirm
receipt; someone else's order is a 404 on every URL."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Variant
from orders.models import Action, Dispute, Order, OrderEvent, ReturnRequest, Role, Status
from orders.services import lifecycle
from tests.catalog.factories import PublishedProductFactory, VariantFactory
from tests.orders.factories import make_order

pytestmark = pytest.mark.django_db


def buyer_urls(order) -> list[tuple[str, str]]:
    return [
        ("get", reverse("orders:detail", args=[order.number])),
        ("post", reverse("orders:cancel", args=[order.number])),
        ("post", reverse("orders:confirm-receipt", args=[order.number])),
    ]


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(3))
@pytest.mark.parametrize("status", [Status.AWAITING_PAYMENT, Status.SHIPPED])
def test_someone_elses_order_is_a_404_on_every_buyer_url(
    client, stranger, owner, buyer, variant, index, status
):
    # Given Mei Lin's order, and a stranger and the stall's own owner logged in
    order = make_order(buyer=buyer, variants=[variant], status=status)
    method, url = buyer_urls(order)[index]
    for intruder in (stranger, owner):
        client.force_login(intruder)
        # When they open or act on it as if it were theirs
        response = getattr(client, method)(url)
        # Then it does not exist for them, and nothing changed
        assert response.status_code == 404, (intruder, url)
    order.refresh_from_db()
    assert order.status == status


def test_an_unknown_order_number_is_a_404(client, buyer):
    client.force_login(buyer)
    assert client.get(reverse("orders:detail", args=["999"])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, buyer, variant):
    order = make_order(buyer=buyer, variants=[variant])
    for url in (reverse("orders:list"), reverse("orders:detail", args=[order.number])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_my_orders_shows_only_mine(client, buyer, stranger, variant):
    mine = make_order(buyer=buyer, variants=[variant])
    theirs = make_order(buyer=stranger, variants=[variant])
    client.force_login(buyer)
    page = client.get(reverse("orders:list")).content.decode()
    assert mine.number in page
    assert theirs.number not in page


# --- the list ---------------------------------------------------------------------------------


def test_my_orders_newest_first_with_stall_items_total_and_status(client, buyer, shop, variant):
    # Given two orders, the newer one of three different goods
    second = VariantFactory(product=PublishedProductFactory(shop=shop, title="大红袍"), stock=5)
    third = VariantFactory(product=PublishedProductFactory(shop=shop, title="白茶"), stock=5)
    now = timezone.now()
    old = make_order(buyer=buyer, variants=[variant], at=now - timedelta(days=3))
    Order.objects.filter(pk=old.pk).update(placed_at=now - timedelta(days=3))
    new = make_order(buyer=buyer, variants=[variant, second, third], status=Status.SHIPPED, at=now)
    client.force_login(buyer)
    # When Mei Lin opens "My orders"
    page = client.get(reverse("orders:list")).content.decode()
    # Then the newest is first, summarised by its first item "and 2 more"
    assert page.index(new.number) < page.index(old.number)
    assert "铁观音 Tieguanyin and 2 more" in page
    assert "老高的茶叶铺" in page
    assert "¥214.00" in page or f"¥{new.total:,.2f}" in page
    assert "shipped" in page


@pytest.mark.parametrize(
    ("tab", "shown"),
    [
        ("to_pay", {Status.AWAITING_PAYMENT}),
        ("to_receive", {Status.PAID, Status.SHIPPED}),
        ("done", {Status.RECEIVED, Status.COMPLETED, Status.CANCELLED, Status.REFUNDED}),
        ("all", set(Status)),
    ],
)
def test_tabs_filter_by_state(client, buyer, variant, tab, shown):
    orders = {
        status: make_order(buyer=buyer, variants=[variant], status=status) for status in Status
    }
    client.force_login(buyer)
    response = client.get(reverse("orders:list"), {"tab": tab})
    listed = {order.status for order in response.context["page"].object_list}
    assert listed == shown
    assert len(orders) == len(Status)


def test_the_returns_tab_lists_orders_with_an_open_return_or_complaint(client, buyer, variant):
    returned = make_order(buyer=buyer, variants=[variant], status=Status.RECEIVED)
    disputed = make_order(buyer=buyer, variants=[variant], status=Status.SHIPPED)
    make_order(buyer=buyer, variants=[variant], status=Status.RECEIVED)
    ReturnRequest.objects.create(order=returned, amount=returned.total)
    Dispute.objects.create(
        order=disputed,
        shop=disputed.shop,
        kind=Dispute.Kind.NOT_RECEIVED,
        statement="Nothing came.",
        answer_by=timezone.now() + timedelta(days=3),
    )
    client.force_login(buyer)
    response = client.get(reverse("orders:list"), {"tab": "aftersales"})
    numbers = {order.number for order in response.context["page"].object_list}
    assert numbers == {returned.number, disputed.number}
    counts = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
    assert counts == {"all": 3, "to_pay": 0, "to_receive": 1, "aftersales": 2, "done": 2}


def test_an_unknown_tab_shows_all(client, buyer, variant):
    make_order(buyer=buyer, variants=[variant])
    client.force_login(buyer)
    response = client.get(reverse("orders:list"), {"tab": "<script>"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1


def test_my_orders_are_paginated_by_20(client, buyer, variant):
    for _ in range(21):
        make_order(buyer=buyer, variants=[variant])
    client.force_login(buyer)
    first = client.get(reverse("orders:list"))
    second = client.get(reverse("orders:list"), {"page": 2})
    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 1
    assert client.get(reverse("orders:list"), {"page": "x"}).status_code == 200


@pytest.mark.parametrize("count", [1, 30])
def test_my_orders_costs_the_same_queries_for_1_or_30_orders(
    client, buyer, shop, variant, count, django_assert_max_num_queries
):
    other = VariantFactory(product=PublishedProductFactory(shop=shop), stock=5)
    for index in range(count):
        make_order(buyer=buyer, variants=[variant, other], status=list(Status)[index % 7])
    client.force_login(buyer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("orders:list"))
    assert response.status_code == 200


# --- one order --------------------------------------------------------------------------------


def test_the_order_page_shows_lines_money_address_tracking_and_timeline(
    client, buyer, owner, variant
):
    # Given a shipped order whose product changed its price since
    order = make_order(buyer=buyer, variants=[variant], quantities=[2], status=Status.PAID)
    lifecycle.order_ship(order=order, actor=owner, carrier="SF Express", tracking_number="SF99")
    Variant.objects.filter(pk=variant.pk).update(price="99.00")
    client.force_login(buyer)
    # When Mei Lin opens it
    response = client.get(reverse("orders:detail", args=[order.number]))
    page = response.content.decode()
    # Then she sees what she paid, where it goes, the parcel and the step on the timeline
    assert response.status_code == 200
    assert "铁观音 Tieguanyin" in page
    assert "¥68.00" in page and "¥136.00" in page and "¥146.00" in page
    assert "¥99.00" not in page
    assert "Provenance: complete" in page
    assert "漕溪北路 88 号" in page and "13812345678" in page
    assert "SF Express" in page and "SF99" in page
    assert "paid → shipped" in page
    assert owner.email not in page
    # and only the step she may take now
    assert reverse("orders:confirm-receipt", args=[order.number]) in page
    assert reverse("orders:cancel", args=[order.number]) not in page
    # and the panels of payment and after-sales are on the page
    templates = {t.name for t in response.templates}
    assert {"orders/_pay_panel.html", "orders/_aftersales_panel.html"} <= templates


def test_an_unpaid_order_offers_cancel_only(client, buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.AWAITING_PAYMENT)
    client.force_login(buyer)
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert reverse("orders:cancel", args=[order.number]) in page
    assert reverse("orders:confirm-receipt", args=[order.number]) not in page


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.CANCELLED, Status.REFUNDED])
def test_a_closed_order_offers_no_step(client, buyer, variant, status):
    order = make_order(buyer=buyer, variants=[variant], status=status)
    client.force_login(buyer)
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert reverse("orders:cancel", args=[order.number]) not in page
    assert reverse("orders:confirm-receipt", args=[order.number]) not in page


def test_the_order_page_costs_a_bounded_number_of_queries(
    client, buyer, shop, variant, django_assert_max_num_queries
):
    variants = [variant] + [
        VariantFactory(product=PublishedProductFactory(shop=shop), stock=3) for _ in range(9)
    ]
    order = make_order(buyer=buyer, variants=variants, status=Status.SHIPPED)
    client.force_login(buyer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("orders:detail", args=[order.number])).status_code == 200


# --- the buyer's steps ------------------------------------------------------------------------


def test_cancel_an_unpaid_order(client, buyer, owner, variant):
    # Given an unpaid order of 2 (stock 10 → 8 at checkout)
    Variant.objects.filter(pk=variant.pk).update(stock=8)
    order = make_order(buyer=buyer, variants=[variant], quantities=[2], status="awaiting_payment")
    client.force_login(buyer)
    # When Mei Lin cancels it
    response = client.post(reverse("orders:cancel", args=[order.number]), follow=True)
    # Then it is cancelled, the goods are back, and the timeline says she did it
    assert response.redirect_chain[-1][0] == order.get_absolute_url()
    assert "Your order is cancelled." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    variant.refresh_from_db()
    assert variant.stock == 10
    event = OrderEvent.objects.get(order=order)
    assert (event.action, event.role, event.actor) == (Action.CANCEL, Role.BUYER, buyer)
    # and a double click changes nothing
    client.post(reverse("orders:cancel", args=[order.number]))
    variant.refresh_from_db()
    assert variant.stock == 10
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_cancelling_a_paid_order_is_refused_with_400_and_a_clear_message(client, buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.PAID)
    client.force_login(buyer)
    response = client.post(reverse("orders:cancel", args=[order.number]))
    assert response.status_code == 400
    assert "“cancelled” is not possible now" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert not OrderEvent.objects.filter(order=order).exists()


def test_confirm_receipt_of_a_shipped_order(client, buyer, variant, settings):
    order = make_order(buyer=buyer, variants=[variant], status=Status.SHIPPED)
    client.force_login(buyer)
    response = client.post(reverse("orders:confirm-receipt", args=[order.number]))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.RECEIVED
    assert order.return_until - order.received_at == timedelta(days=settings.ORDERS_RETURN_DAYS)


def test_confirming_receipt_before_shipping_is_refused_with_400(client, buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.PAID)
    client.force_login(buyer)
    response = client.post(reverse("orders:confirm-receipt", args=[order.number]))
    assert response.status_code == 400
    assert "“receipt confirmed” is not possible now" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == Status.PAID


def test_actions_want_post(client, buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.AWAITING_PAYMENT)
    client.force_login(buyer)
    assert client.get(reverse("orders:cancel", args=[order.number])).status_code == 405
    assert client.get(reverse("orders:confirm-receipt", args=[order.number])).status_code == 405


def test_the_account_menu_links_my_orders(client, buyer):
    client.force_login(buyer)
    assert reverse("orders:list") in client.get(reverse("home")).content.decode()


def test_the_buyer_sees_the_sellers_contact_that_the_stall_page_keeps_private(
    client, buyer, stranger, shop, variant
):
    shop.wechat_id, shop.phone = "laogao-tea", "+86 595 2345 6789"
    shop.save(update_fields=["wechat_id", "phone"])
    order = make_order(buyer=buyer, variants=[variant], status=Status.PAID)

    client.force_login(buyer)
    page = client.get(reverse("orders:detail", args=[order.number])).text
    assert "laogao-tea" in page and "+86 595 2345 6789" in page

    client.force_login(stranger)
    assert "laogao-tea" not in client.get(shop.get_absolute_url()).text


def test_orders_of_a_suspended_stall_stay_reachable_to_both_sides(
    client, buyer, owner, admin_user, shop, variant
):
    from shops.services import shop_suspend

    order = make_order(buyer=buyer, variants=[variant], status=Status.SHIPPED)
    shop_suspend(shop=shop, actor=admin_user, reason="Selling counterfeit tea.")

    client.force_login(buyer)
    assert client.get(reverse("orders:detail", args=[order.number])).status_code == 200
    response = client.post(reverse("orders:confirm-receipt", args=[order.number]))
    assert response.status_code == 302
    client.force_login(owner)
    assert client.get(order.get_seller_url()).status_code == 200
    order.refresh_from_db()
    assert order.status == Status.RECEIVED
