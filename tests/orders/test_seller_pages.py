"""The stall's order pages: the list with its tabs, one order and its steps, the packing
slip and the CSV export; another stall's order (or a stranger) is a 404 on every URL."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Variant
from microstore.notifications.models import Notification
from orders.models import (
    Action,
    Dispute,
    Order,
    OrderEvent,
    Payment,
    PaymentMethod,
    Refund,
    ReturnRequest,
    Role,
    Status,
)
from tests.catalog.factories import PublishedProductFactory, VariantFactory
from tests.factories import ShopFactory
from tests.orders.factories import make_order

pytestmark = pytest.mark.django_db


def seller_urls(order) -> list[tuple[str, str, dict]]:
    slug, number = order.shop.slug, order.number
    return [
        ("get", reverse("orders:seller-list", args=[slug]), {}),
        ("get", reverse("orders:seller-export", args=[slug]), {}),
        ("get", reverse("orders:seller-detail", args=[slug, number]), {}),
        ("post", reverse("orders:seller-confirm-payment", args=[slug, number]), {}),
        (
            "post",
            reverse("orders:seller-ship", args=[slug, number]),
            {"carrier": "SF", "tracking_number": "1"},
        ),
        ("post", reverse("orders:seller-cancel", args=[slug, number]), {"cancel-reason": "x"}),
        ("post", reverse("orders:seller-refund", args=[slug, number]), {"refund-reason": "x"}),
        ("get", reverse("orders:seller-packing-slip", args=[slug, number]), {}),
    ]


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(8))
@pytest.mark.parametrize(
    ("status", "method"),
    [(Status.AWAITING_PAYMENT, PaymentMethod.DIRECT), (Status.PAID, PaymentMethod.SANDBOX)],
)
def test_a_stranger_the_buyer_and_another_stall_get_404_on_every_seller_url(
    client, stranger, other_shop, buyer, variant, index, status, method
):
    # Given an order of 老高's stall, and three people who do not run it: a stranger with a
    # stall of their own, and the order's own buyer
    Variant.objects.filter(pk=variant.pk).update(stock=9)
    order = make_order(buyer=buyer, variants=[variant], status=status, payment_method=method)
    verb, url, data = seller_urls(order)[index]
    for intruder in (stranger, buyer):
        client.force_login(intruder)
        # When they open or act on it through the stall's URLs
        response = getattr(client, verb)(url, data)
        # Then it does not exist for them
        assert response.status_code == 404, (intruder, url)
    # and nothing changed
    order.refresh_from_db()
    assert order.status == status
    assert not OrderEvent.objects.filter(order=order).exists()
    assert Variant.objects.get(pk=variant.pk).stock == 9


def test_another_stalls_order_number_under_my_stall_is_a_404(
    client, owner, shop, stranger, other_shop
):
    # Given the owner of 老高's stall, and an order of another stall
    theirs = make_order(
        variants=[VariantFactory(product=PublishedProductFactory(shop=other_shop))],
        status=Status.PAID,
    )
    client.force_login(owner)
    # When 老高 puts its number under his own stall's URLs
    for verb, url, data in seller_urls(theirs)[2:]:
        url = url.replace(other_shop.slug, shop.slug)
        response = getattr(client, verb)(url, data)
        # Then it is not found, and nothing changed
        assert response.status_code == 404, url
    assert Order.objects.get(pk=theirs.pk).status == Status.PAID


def test_the_owner_sees_the_order(client, owner, variant, buyer):
    order = make_order(buyer=buyer, variants=[variant])
    client.force_login(owner)
    for verb, url, _data in seller_urls(order):
        if verb == "get":
            assert client.get(url).status_code == 200, url


# --- the list ---------------------------------------------------------------------------------


def test_tabs_with_counts(client, owner, shop, variant, buyer):
    # Given orders in every state, direct and online, one with a return and one with a complaint
    direct = make_order(
        variants=[variant], status=Status.AWAITING_PAYMENT, payment_method=PaymentMethod.DIRECT
    )
    online = make_order(variants=[variant], status=Status.AWAITING_PAYMENT)
    paid = [make_order(variants=[variant], status=Status.PAID) for _ in range(2)]
    shipped = make_order(variants=[variant], status=Status.SHIPPED)
    returned = make_order(variants=[variant], status=Status.RECEIVED)
    disputed = make_order(variants=[variant], status=Status.COMPLETED)
    ReturnRequest.objects.create(order=returned, amount=returned.total)
    Dispute.objects.create(
        order=disputed,
        shop=shop,
        kind=Dispute.Kind.NOT_AS_DESCRIBED,
        statement="Not oolong.",
        answer_by=timezone.now() + timedelta(days=3),
    )
    client.force_login(owner)
    url = reverse("orders:seller-list", args=[shop.slug])

    def numbers(tab):
        response = client.get(url, {"tab": tab})
        assert response.status_code == 200
        return {o.number for o in response.context["page"].object_list}, response

    # When 老高 goes through the tabs, then each holds what it says
    assert numbers("to_confirm")[0] == {direct.number}
    assert numbers("to_ship")[0] == {o.number for o in paid}
    assert numbers("shipped")[0] == {shipped.number}
    assert numbers("returns")[0] == {returned.number}
    assert numbers("complaints")[0] == {disputed.number}
    everything, response = numbers("all")
    assert online.number in everything and len(everything) == 7
    counts = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
    assert counts == {
        "to_confirm": 1,
        "to_ship": 2,
        "shipped": 1,
        "returns": 1,
        "complaints": 1,
        "all": 7,
    }


def test_search_by_number(client, owner, shop, variant):
    wanted = make_order(variants=[variant])
    other = make_order(variants=[variant])
    client.force_login(owner)
    response = client.get(reverse("orders:seller-list", args=[shop.slug]), {"q": wanted.number})
    page = response.content.decode()
    assert wanted.number in page and other.number not in page


def test_a_bad_tab_is_400_and_shows_all(client, owner, shop, variant):
    make_order(variants=[variant])
    client.force_login(owner)
    response = client.get(reverse("orders:seller-list", args=[shop.slug]), {"tab": "nope"})
    assert response.status_code == 400
    assert len(response.context["page"].object_list) == 1


def test_the_list_is_paginated(client, owner, shop, variant):
    for _ in range(21):
        make_order(variants=[variant])
    client.force_login(owner)
    url = reverse("orders:seller-list", args=[shop.slug])
    assert len(client.get(url).context["page"].object_list) == 20
    assert len(client.get(url, {"page": 2}).context["page"].object_list) == 1


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_costs_the_same_queries_for_1_or_30_orders(
    client, owner, shop, variant, count, django_assert_max_num_queries
):
    other = VariantFactory(product=PublishedProductFactory(shop=shop), stock=5)
    for index in range(count):
        make_order(variants=[variant, other], status=list(Status)[index % 7])
    client.force_login(owner)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("orders:seller-list", args=[shop.slug]), {"tab": "all"})
    assert response.status_code == 200


def test_the_dashboard_links_orders_with_the_count_to_ship(client, owner, shop, variant):
    make_order(variants=[variant], status=Status.PAID)
    make_order(variants=[variant], status=Status.PAID)
    make_order(variants=[variant], status=Status.SHIPPED)
    client.force_login(owner)
    page = client.get(reverse("shops:manage", args=[shop.slug])).content.decode()
    assert reverse("orders:seller-list", args=[shop.slug]) in page
    assert "2 paid orders to ship." in page


# --- one order and its steps ------------------------------------------------------------------


def test_the_order_page_shows_buyer_address_note_lines_and_timeline(
    client, owner, shop, variant, buyer
):
    order = make_order(buyer=buyer, variants=[variant], quantities=[3], status=Status.PAID)
    Order.objects.filter(pk=order.pk).update(buyer_note="请不要敲门")
    client.force_login(owner)
    response = client.get(order.get_seller_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert buyer.display_name in page and buyer.email not in page
    assert "林梅" in page and "漕溪北路" in page and "请不要敲门" in page
    assert "TGY-250" in page and "¥204.00" in page
    # only what the stall may do now: ship, or refund because it cannot
    assert reverse("orders:seller-ship", args=[shop.slug, order.number]) in page
    assert reverse("orders:seller-refund", args=[shop.slug, order.number]) in page
    assert reverse("orders:seller-cancel", args=[shop.slug, order.number]) not in page
    assert reverse("orders:seller-confirm-payment", args=[shop.slug, order.number]) not in page
    assert "orders/_seller_aftersales_panel.html" in {t.name for t in response.templates}


def test_mark_shipped(client, owner, shop, variant, buyer):
    # Given a paid order
    order = make_order(buyer=buyer, variants=[variant], status=Status.PAID)
    client.force_login(owner)
    # When 老高 marks it shipped with the carrier and the tracking number
    response = client.post(
        reverse("orders:seller-ship", args=[shop.slug, order.number]),
        {"carrier": "SF Express", "tracking_number": " SF1234 "},
    )
    # Then it is shipped, the buyer hears of it and sees the parcel
    assert response.status_code == 302
    assert response["Location"] == order.get_seller_url()
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == (
        Status.SHIPPED,
        "SF Express",
        "SF1234",
    )
    assert order.auto_receive_at is not None
    assert Notification.objects.filter(recipient=buyer, kind="orders.changed").exists()
    event = OrderEvent.objects.get(order=order)
    assert (event.action, event.role, event.actor) == (Action.SHIP, Role.SELLER, owner)


def test_shipping_without_a_tracking_number_is_400_with_the_form_error(
    client, owner, shop, variant
):
    order = make_order(variants=[variant], status=Status.PAID)
    client.force_login(owner)
    response = client.post(
        reverse("orders:seller-ship", args=[shop.slug, order.number]),
        {"carrier": "SF Express", "tracking_number": ""},
    )
    assert response.status_code == 400
    assert response.context["ship_form"].errors["tracking_number"]
    assert Order.objects.get(pk=order.pk).status == Status.PAID


def test_shipping_an_unpaid_order_is_refused_with_400(client, owner, shop, variant):
    order = make_order(variants=[variant], status=Status.AWAITING_PAYMENT)
    client.force_login(owner)
    response = client.post(
        reverse("orders:seller-ship", args=[shop.slug, order.number]),
        {"carrier": "SF Express", "tracking_number": "SF1"},
    )
    assert response.status_code == 400
    assert "“shipped” is not possible now" in response.content.decode()
    order.refresh_from_db()
    assert (order.status, order.carrier) == (Status.AWAITING_PAYMENT, "")


def test_confirm_a_direct_payment(client, owner, shop, variant, buyer):
    order = make_order(
        buyer=buyer,
        variants=[variant],
        status=Status.AWAITING_PAYMENT,
        payment_method=PaymentMethod.DIRECT,
    )
    client.force_login(owner)
    page = client.get(order.get_seller_url()).content.decode()
    url = reverse("orders:seller-confirm-payment", args=[shop.slug, order.number])
    assert url in page
    response = client.post(url)
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert Payment.objects.get(order=order).status == Payment.Status.PAID
    # a second click changes nothing
    client.post(url)
    assert Payment.objects.filter(order=order).count() == 1


def test_an_online_order_offers_no_payment_confirmation_and_refuses_it(
    client, owner, shop, variant
):
    order = make_order(variants=[variant], status=Status.AWAITING_PAYMENT)
    client.force_login(owner)
    url = reverse("orders:seller-confirm-payment", args=[shop.slug, order.number])
    assert url not in client.get(order.get_seller_url()).content.decode()
    response = client.post(url)
    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == Status.AWAITING_PAYMENT


def test_cancel_an_unpaid_order_with_a_reason(client, owner, shop, variant, buyer):
    Variant.objects.filter(pk=variant.pk).update(stock=7)
    order = make_order(
        buyer=buyer, variants=[variant], quantities=[3], status=Status.AWAITING_PAYMENT
    )
    client.force_login(owner)
    url = reverse("orders:seller-cancel", args=[shop.slug, order.number])
    # without a reason: 400, nothing changes
    response = client.post(url, {"cancel-reason": " "})
    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == Status.AWAITING_PAYMENT
    # with one: cancelled, stock back, the buyer reads why
    response = client.post(url, {"cancel-reason": "Sold out at the market."})
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).status == Status.CANCELLED
    assert Variant.objects.get(pk=variant.pk).stock == 10
    client.force_login(buyer)
    assert "Sold out at the market." in client.get(order.get_absolute_url()).content.decode()


def test_refund_a_paid_order_the_stall_cannot_send(client, owner, shop, variant, buyer):
    Variant.objects.filter(pk=variant.pk).update(stock=8)
    order = make_order(buyer=buyer, variants=[variant], quantities=[2], status=Status.PAID)
    client.force_login(owner)
    url = reverse("orders:seller-refund", args=[shop.slug, order.number])
    assert client.post(url, {"refund-reason": ""}).status_code == 400
    response = client.post(url, {"refund-reason": "The harvest failed."})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.REFUNDED
    assert order.refunded_total == order.total
    assert Refund.objects.get(order=order).amount == order.total
    assert Variant.objects.get(pk=variant.pk).stock == 10
    # and again: refused with 400, nothing more refunded
    assert client.post(url, {"refund-reason": "again"}).status_code == 400
    assert Refund.objects.filter(order=order).count() == 1


def test_refunding_a_shipped_order_is_refused(client, owner, shop, variant):
    order = make_order(variants=[variant], status=Status.SHIPPED)
    client.force_login(owner)
    url = reverse("orders:seller-refund", args=[shop.slug, order.number])
    assert url not in client.get(order.get_seller_url()).content.decode()
    assert client.post(url, {"refund-reason": "Changed my mind"}).status_code == 400
    assert not Refund.objects.filter(order=order).exists()


def test_the_order_page_costs_a_bounded_number_of_queries(
    client, owner, shop, variant, django_assert_max_num_queries
):
    variants = [variant] + [
        VariantFactory(product=PublishedProductFactory(shop=shop), stock=3) for _ in range(9)
    ]
    order = make_order(variants=variants, status=Status.PAID)
    client.force_login(owner)
    with django_assert_max_num_queries(14):
        assert client.get(order.get_seller_url()).status_code == 200


# --- the packing slip -------------------------------------------------------------------------


def test_the_packing_slip(client, owner, shop, variant):
    order = make_order(variants=[variant], quantities=[2], status=Status.PAID)
    Order.objects.filter(pk=order.pk).update(buyer_note="送到门卫")
    client.force_login(owner)
    response = client.get(reverse("orders:seller-packing-slip", args=[shop.slug, order.number]))
    page = response.content.decode()
    assert response.status_code == 200
    assert shop.name in page and order.number in page
    assert "林梅" in page and "13812345678" in page and "徐汇区" in page
    assert "TGY-250" in page and "送到门卫" in page
    assert "site-nav" not in page  # no navigation on paper


# --- the CSV export ---------------------------------------------------------------------------


def test_export_one_row_per_line_in_the_range(client, owner, shop, variant, buyer):
    # Given two orders this week (one of two goods) and one 40 days ago
    other = VariantFactory(
        product=PublishedProductFactory(shop=shop, title="大红袍"), sku="DHP-1", stock=5
    )
    recent = make_order(buyer=buyer, variants=[variant, other], quantities=[2, 1])
    make_order(variants=[variant], status=Status.SHIPPED)
    old = make_order(variants=[variant])
    Order.objects.filter(pk=old.pk).update(placed_at=timezone.now() - timedelta(days=40))
    client.force_login(owner)
    # When 老高 exports the default range (the last 30 days)
    response = client.get(reverse("orders:seller-export", args=[shop.slug]))
    # Then a CSV comes back, streamed, with one row per line, Chinese intact
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    assert header[0] == "Order number" and len(header) == 21
    assert len(body) == 3
    assert old.number not in {row[0] for row in body}
    first = next(row for row in body if row[0] == recent.number and row[12] == "TGY-250")
    named = dict(zip(header, first, strict=True))
    assert named["Title"] == "铁观音 Tieguanyin"
    assert named["Recipient"] == "林梅"
    assert named["Buyer"] == buyer.display_name
    assert named["Unit price"] == "68.00" and named["Quantity"] == "2"
    assert named["Line total"] == "136.00" and named["Order total"] == "214.00"
    assert named["Mobile number"] == "13812345678"


def test_export_an_explicit_range(client, owner, shop, variant):
    at = timezone.now() - timedelta(days=100)
    wanted = make_order(variants=[variant], at=at)
    Order.objects.filter(pk=wanted.pk).update(placed_at=at)
    make_order(variants=[variant])
    day = timezone.localtime(at).date()
    client.force_login(owner)
    response = client.get(
        reverse("orders:seller-export", args=[shop.slug]),
        {"start": day.isoformat(), "end": day.isoformat()},
    )
    rows = read_csv(response)
    assert [row[0] for row in rows[1:]] == [wanted.number]


def test_export_quotes_cells_a_spreadsheet_would_run(client, owner, shop, variant):
    Order.objects.filter(pk=make_order(variants=[variant]).pk).update(
        recipient="=HYPERLINK(1)", tracking_number="+1", carrier="@x"
    )
    client.force_login(owner)
    row = read_csv(client.get(reverse("orders:seller-export", args=[shop.slug])))[1]
    assert row[4] == "'=HYPERLINK(1)"
    assert row[19] == "'@x" and row[20] == "'+1"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2025-02-30", "end": "2025-03-01"}, "Give both days as dates"),
        ({"start": "2025-03-01", "end": "2025-02-01"}, "must come before"),
        ({"start": "2023-01-01", "end": "2025-01-01"}, "at most 366 days"),
        ({"start": "2025-01-01"}, "Give both days as dates"),
    ],
)
def test_export_with_bad_dates_is_400_with_a_message(client, owner, shop, params, message):
    client.force_login(owner)
    response = client.get(reverse("orders:seller-export", args=[shop.slug]), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_export_of_a_whole_year_is_allowed(client, owner, shop):
    client.force_login(owner)
    response = client.get(
        reverse("orders:seller-export", args=[shop.slug]),
        {"start": "2024-01-01", "end": "2024-12-31"},
    )
    assert response.status_code == 200
    assert len(read_csv(response)) == 1


def test_export_only_holds_my_stalls_orders(client, owner, shop, variant):
    other_shop = ShopFactory()
    theirs = make_order(variants=[VariantFactory(product=PublishedProductFactory(shop=other_shop))])
    mine = make_order(variants=[variant])
    client.force_login(owner)
    numbers = {
        row[0] for row in read_csv(client.get(reverse("orders:seller-export", args=[shop.slug])))
    }
    assert mine.number in numbers and theirs.number not in numbers
