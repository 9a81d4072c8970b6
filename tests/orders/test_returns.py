"""7-day no-reason returns: the services step by step, the pages, who may do what, money and
stock, and the panels' query bounds."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage

from catalog.models import StockMovement, Variant
from microstore.errors import DomainError
from orders.models import Action, Order, OrderLine, Refund, ReturnRequest, Status
from orders.selectors.aftersales import aftersales_for_order
from orders.services import aftersales as services
from orders.services import lifecycle
from tests.catalog.factories import PublishedProductFactory, VariantFactory
from tests.orders.factories import make_order
from tests.parallel import at_once

pytestmark = pytest.mark.django_db


def photo(size=(640, 640)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (200, 80, 40)).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def green_tea(shop):
    """龙井 100 g, ¥45, 5 in stock."""
    return VariantFactory(
        product=PublishedProductFactory(shop=shop, title="龙井 Longjing"),
        sku="LJ-100",
        price=Decimal("45.00"),
        stock=5,
    )


@pytest.fixture
def order(buyer, variant, green_tea):
    """Received today: 2 x 铁观音 (¥68) and 1 x 龙井 (¥45), ¥10 shipping: ¥191."""
    return make_order(
        buyer=buyer, variants=[variant, green_tea], quantities=[2, 1], status=Status.RECEIVED
    )


def lines(order):
    tgy, lj = order.lines.order_by("pk")
    return tgy, lj


def ask(order, buyer, quantities=None, **kwargs):
    tgy, _lj = lines(order)
    return services.return_request(
        order=order, actor=buyer, quantities=quantities or {tgy.pk: 1}, **kwargs
    )


def events(order):
    return list(order.events.values_list("action", flat=True))


def seller_url(name, order):
    return reverse(f"orders:{name}", args=[order.shop.slug, order.number])


def buyer_url(name, order):
    return reverse(f"orders:{name}", args=[order.number])


# --- services ----------------------------------------------------------------------------------


def test_the_whole_return_refunds_the_goods_and_restocks(order, buyer, owner, variant):
    # Given a received order, when the buyer returns one 铁观音 and the seller goes along
    ret = ask(order, buyer, reason="Too strong for me")
    assert ret.status == ReturnRequest.Status.REQUESTED
    assert ret.amount == Decimal("68.00")
    services.return_accept(order=order, actor=owner)
    services.return_ship(order=order, actor=buyer, carrier="SF", tracking_number="SF99")
    services.return_receive(order=order, actor=owner, restock=True)

    # then the buyer has ¥68 back, the goods are counted as returned and back in stock
    ret.refresh_from_db()
    order.refresh_from_db()
    assert ret.status == ReturnRequest.Status.REFUNDED and ret.restock
    assert order.refunded_total == Decimal("68.00")
    assert order.status == Status.RECEIVED  # a partial refund leaves the status
    refund = Refund.objects.get(order=order)
    assert (refund.amount, refund.source) == (Decimal("68.00"), Refund.Source.RETURN)
    tgy, _lj = lines(order)
    assert tgy.returned_quantity == 1
    variant.refresh_from_db()
    assert variant.stock == 11
    assert StockMovement.objects.filter(variant=variant, reason="return", delta=1).exists()
    # and every step is on the timeline
    assert events(order) == [
        Action.RETURN_REQUESTED,
        Action.RETURN_ACCEPTED,
        Action.RETURN_SHIPPED,
        Action.RETURN_RECEIVED,
        Action.REFUND_PART,
    ]


def test_not_restocking_leaves_stock_alone(order, buyer, owner, variant):
    ask(order, buyer)
    services.return_accept(order=order, actor=owner)
    services.return_ship(order=order, actor=buyer, carrier="SF", tracking_number="SF99")
    services.return_receive(order=order, actor=owner, restock=False)
    variant.refresh_from_db()
    assert variant.stock == 10
    assert not StockMovement.objects.filter(variant=variant, reason="return").exists()
    assert order.refunds.get().amount == Decimal("68.00")


def test_returning_everything_refunds_shipping_and_refunds_the_order(order, buyer, owner):
    tgy, lj = lines(order)
    ret = ask(order, buyer, quantities={tgy.pk: 2, lj.pk: 1})
    assert ret.amount == Decimal("191.00")  # 2 x 68 + 45 + 10 shipping
    services.return_accept(order=order, actor=owner)
    services.return_ship(order=order, actor=buyer, carrier="SF", tracking_number="SF99")
    services.return_receive(order=order, actor=owner, restock=True)
    order.refresh_from_db()
    assert order.status == Status.REFUNDED
    assert order.refunded_total == order.total == Decimal("191.00")


def test_shipping_comes_back_with_the_last_items_of_a_second_return(order, buyer, owner):
    # Given the 铁观音 went back in a first return
    tgy, lj = lines(order)
    ask(order, buyer, quantities={tgy.pk: 2})
    services.return_accept(order=order, actor=owner)
    services.return_ship(order=order, actor=buyer, carrier="SF", tracking_number="1")
    services.return_receive(order=order, actor=owner, restock=False)
    # when the 龙井 follows, the shipping fee comes with it
    second = ask(order, buyer, quantities={lj.pk: 1})
    assert second.amount == Decimal("55.00")


def test_amount_is_unit_price_times_quantity(order):
    tgy, lj = lines(order)
    assert services.return_amount(
        order=order, lines=[tgy, lj], quantities={tgy.pk: 1, lj.pk: 1}
    ) == Decimal("113.00")


def test_window_closed_is_refused_with_the_date(order, buyer):
    Order.objects.filter(pk=order.pk).update(return_until=timezone.now() - timedelta(minutes=1))
    order.refresh_from_db()
    with pytest.raises(DomainError, match="The return window closed on"):
        ask(order, buyer)
    assert not ReturnRequest.objects.exists()


def test_not_received_yet_is_refused(buyer, variant):
    order = make_order(buyer=buyer, variants=[variant], status=Status.SHIPPED)
    with pytest.raises(DomainError, match="confirmed receipt"):
        services.return_request(order=order, actor=buyer, quantities={order.lines.get().pk: 1})


def test_excluded_goods_are_refused_with_the_reason(order, buyer):
    tgy, _lj = lines(order)
    OrderLine.objects.filter(pk=tgy.pk).update(returns_excluded=True)
    with pytest.raises(DomainError, match="Fresh food and custom-made goods"):
        ask(order, buyer, quantities={tgy.pk: 1})


def test_cannot_return_more_than_bought(order, buyer):
    tgy, _lj = lines(order)
    with pytest.raises(DomainError, match="at most 2"):
        ask(order, buyer, quantities={tgy.pk: 3})


def test_lines_of_another_order_are_refused(order, buyer, variant):
    other = make_order(buyer=buyer, variants=[variant], status=Status.RECEIVED)
    with pytest.raises(DomainError):
        ask(order, buyer, quantities={other.lines.get().pk: 1})


def test_asking_twice_keeps_one_return(order, buyer):
    first = ask(order, buyer)
    second = ask(order, buyer)
    assert first.pk == second.pk
    assert ReturnRequest.objects.count() == 1
    assert events(order).count(Action.RETURN_REQUESTED) == 1


def test_refusing_needs_a_reason_and_opens_the_way_to_a_complaint(order, buyer, owner):
    ask(order, buyer)
    with pytest.raises(DomainError, match="Say why"):
        services.return_refuse(order=order, actor=owner, reason="  ")
    ret = services.return_refuse(order=order, actor=owner, reason="Opened and half drunk")
    assert ret.status == ReturnRequest.Status.REFUSED
    assert ret.refusal_reason == "Opened and half drunk"
    assert aftersales_for_order(order)["can_open_dispute"]
    dispute = services.dispute_open(
        order=order, actor=buyer, kind="return_refused", statement="It was sealed."
    )
    assert dispute.kind == "return_refused"


def test_withdrawing_before_shipping_back(order, buyer, owner):
    ask(order, buyer)
    services.return_accept(order=order, actor=owner)
    ret = services.return_cancel(order=order, actor=buyer)
    assert ret.status == ReturnRequest.Status.CANCELLED
    # twice is harmless
    services.return_cancel(order=order, actor=buyer)
    assert events(order).count(Action.RETURN_CANCELLED) == 1


def test_cannot_withdraw_once_shipped_back(order, buyer, owner):
    ask(order, buyer)
    services.return_accept(order=order, actor=owner)
    services.return_ship(order=order, actor=buyer, carrier="SF", tracking_number="1")
    with pytest.raises(DomainError, match="on its way back"):
        services.return_cancel(order=order, actor=buyer)


def test_steps_by_the_wrong_side_are_refused(order, buyer, owner, stranger):
    with pytest.raises(DomainError):
        ask(order, owner)
    ask(order, buyer)
    with pytest.raises(DomainError):
        services.return_accept(order=order, actor=buyer)
    with pytest.raises(DomainError):
        services.return_accept(order=order, actor=stranger)
    services.return_accept(order=order, actor=owner)
    with pytest.raises(DomainError):
        services.return_ship(order=order, actor=owner, carrier="SF", tracking_number="1")


def test_double_confirmation_refunds_once(order, buyer, owner):
    ask(order, buyer)
    services.return_accept(order=order, actor=owner)
    services.return_ship(order=order, actor=buyer, carrier="SF", tracking_number="1")
    services.return_receive(order=order, actor=owner, restock=True)
    services.return_receive(order=order, actor=owner, restock=True)
    assert order.refunds.count() == 1
    tgy, _lj = lines(order)
    assert tgy.returned_quantity == 1


def test_an_open_return_holds_the_order_open(order, buyer):
    ask(order, buyer)
    Order.objects.filter(pk=order.pk).update(return_until=timezone.now() - timedelta(days=1))
    assert lifecycle.order_complete(order=order) is None
    order.refresh_from_db()
    assert order.status == Status.RECEIVED


def test_photos_go_through_the_image_pipeline(order, buyer):
    ret = ask(order, buyer, photos=[photo(), photo()])
    assert [p.image.owner_id for p in ret.photos.all()] == [buyer.pk, buyer.pk]


def test_each_step_tells_the_other_side(order, buyer, owner, django_capture_on_commit_callbacks):
    from microstore.notifications.models import Notification

    ask(order, buyer)
    assert Notification.objects.filter(recipient=owner).count() == 1
    services.return_accept(order=order, actor=owner)
    assert Notification.objects.filter(recipient=buyer).count() == 1


# --- pages -------------------------------------------------------------------------------------


def test_return_page_lists_lines_and_explains_excluded_ones(client, order, buyer):
    _tgy, lj = lines(order)
    OrderLine.objects.filter(pk=lj.pk).update(returns_excluded=True)
    client.force_login(buyer)
    response = client.get(buyer_url("return", order))
    assert response.status_code == 200
    content = response.content.decode()
    assert "铁观音" in content
    assert "fresh food and custom-made goods cannot be returned without a reason" in content.lower()
    assert f'name="line_{lj.pk}"' not in content


def test_return_page_says_when_the_window_closed(client, order, buyer):
    Order.objects.filter(pk=order.pk).update(return_until=timezone.now() - timedelta(days=1))
    client.force_login(buyer)
    response = client.get(buyer_url("return", order))
    assert response.status_code == 200
    assert "The return window closed on" in response.content.decode()
    assert b'name="reason"' not in response.content
    response = client.post(buyer_url("return", order), {"reason": "x"})
    assert response.status_code == 400
    assert not ReturnRequest.objects.exists()


def test_asking_through_the_page(client, order, buyer):
    tgy, _lj = lines(order)
    client.force_login(buyer)
    response = client.post(
        buyer_url("return", order),
        {f"line_{tgy.pk}": "2", "reason": "Gift not needed", "photos": [photo()]},
    )
    assert response.status_code == 302
    assert response["Location"] == order.get_absolute_url()
    ret = ReturnRequest.objects.get()
    assert ret.amount == Decimal("136.00") and ret.photos.count() == 1
    # submitted again (a double click): still one return
    response = client.post(buyer_url("return", order), {f"line_{tgy.pk}": "2"})
    assert ReturnRequest.objects.count() == 1


def test_page_errors_answer_400(client, order, buyer):
    tgy, _lj = lines(order)
    client.force_login(buyer)
    response = client.post(buyer_url("return", order), {f"line_{tgy.pk}": "0"})
    assert response.status_code == 400
    assert "Choose at least one item" in response.content.decode()
    response = client.post(buyer_url("return", order), {f"line_{tgy.pk}": "9"})
    assert response.status_code == 400
    response = client.post(
        buyer_url("return", order),
        {f"line_{tgy.pk}": "1", "photos": [SimpleUploadedFile("x.png", b"not a picture")]},
    )
    assert response.status_code == 400
    assert not ReturnRequest.objects.exists()


def test_the_steps_through_the_pages(client, order, buyer, owner, variant):
    ask(order, buyer)
    client.force_login(owner)
    response = client.post(seller_url("seller-return-accept", order))
    assert response.status_code == 302 and response["Location"] == order.get_seller_url()
    client.force_login(buyer)
    response = client.post(buyer_url("return-ship", order), {"carrier": "", "tracking_number": ""})
    assert response.status_code == 400
    response = client.post(
        buyer_url("return-ship", order), {"carrier": "SF Express", "tracking_number": "SF1"}
    )
    assert response.status_code == 302
    client.force_login(owner)
    response = client.post(seller_url("seller-return-received", order), {})  # no restock
    assert response.status_code == 302
    ret = ReturnRequest.objects.get()
    assert ret.status == ReturnRequest.Status.REFUNDED and not ret.restock
    assert Variant.objects.get(pk=variant.pk).stock == 10


def test_refusing_through_the_page_needs_a_reason(client, order, buyer, owner):
    ask(order, buyer)
    client.force_login(owner)
    response = client.post(seller_url("seller-return-refuse", order), {"reason": ""})
    assert response.status_code == 400
    response = client.post(seller_url("seller-return-refuse", order), {"reason": "Used"})
    assert response.status_code == 302
    assert ReturnRequest.objects.get().status == ReturnRequest.Status.REFUSED


def test_a_refused_step_is_a_message(client, order, buyer):
    client.force_login(buyer)
    response = client.post(buyer_url("return-cancel", order), follow=False)
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["There is no return on this order."]


BUYER_URLS = ["return", "return-ship", "return-cancel"]
SELLER_URLS = ["seller-return-accept", "seller-return-refuse", "seller-return-received"]


@pytest.mark.parametrize("name", BUYER_URLS)
def test_buyer_urls_are_404_for_anyone_else(client, order, owner, stranger, name):
    for user in (owner, stranger):
        client.force_login(user)
        assert client.get(buyer_url(name, order)).status_code in (404, 405)
        assert client.post(buyer_url(name, order)).status_code == 404


@pytest.mark.parametrize("name", SELLER_URLS)
def test_seller_urls_are_404_for_anyone_else(client, order, buyer, stranger, other_shop, name):
    for user in (buyer, stranger):
        client.force_login(user)
        assert client.post(seller_url(name, order)).status_code == 404
    # the stranger's own stall does not open someone else's order either
    url = reverse(f"orders:{name}", args=[other_shop.slug, order.number])
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("name", BUYER_URLS)
def test_buyer_urls_need_login(client, order, name):
    response = client.post(buyer_url(name, order))
    assert response.status_code == 302 and "login" in response["Location"]


# --- panels --------------------------------------------------------------------------------


def _render_panels(order, aftersales):
    request = RequestFactory().get("/")
    context = {"order": order, "aftersales": aftersales, "request": request}
    return (
        render_to_string("orders/_aftersales_panel.html", context),
        render_to_string("orders/_seller_aftersales_panel.html", context),
    )


@pytest.mark.parametrize("size", [1, 30])
def test_panels_add_no_query_beyond_the_selector(
    buyer, shop, size, django_assert_max_num_queries, django_assert_num_queries
):
    variants = [VariantFactory(product=PublishedProductFactory(shop=shop)) for _ in range(size)]
    order = make_order(buyer=buyer, variants=variants, status=Status.RECEIVED)
    services.return_request(
        order=order,
        actor=buyer,
        quantities={line.pk: 1 for line in order.lines.all()},
        reason="changed my mind",
    )
    order = Order.objects.select_related("shop").get(pk=order.pk)
    with django_assert_max_num_queries(5):
        aftersales = aftersales_for_order(order)
    with django_assert_num_queries(0):
        buyer_html, seller_html = _render_panels(order, aftersales)
    assert "waiting for the seller" in buyer_html
    assert "Accept the return" in seller_html
    assert buyer_html.count('class="aftersales__line"') == size


def test_buyer_panel_shows_the_refund(order, buyer, owner):
    ask(order, buyer)
    services.return_accept(order=order, actor=owner)
    services.return_ship(order=order, actor=buyer, carrier="SF", tracking_number="SF9")
    services.return_receive(order=order, actor=owner, restock=True)
    buyer_html, _seller = _render_panels(order, aftersales_for_order(order))
    assert "Refunded" in buyer_html and "¥68.00" in buyer_html


# --- concurrency -------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_submits_and_confirmations_make_one_return_and_one_refund(
    buyer, owner, variant, green_tea
):
    order = make_order(
        buyer=buyer, variants=[variant, green_tea], quantities=[2, 1], status=Status.RECEIVED
    )
    tgy, _lj = lines(order)
    # Given the buyer's form submitted five times at once: one return
    results = at_once(
        [
            lambda: services.return_request(order=order, actor=buyer, quantities={tgy.pk: 2})
            for _ in range(5)
        ]
    )
    assert {r.pk for r in results} == {ReturnRequest.objects.get().pk}
    services.return_accept(order=order, actor=owner)
    services.return_ship(order=order, actor=buyer, carrier="SF", tracking_number="1")
    # when the seller's confirmation arrives five times at once: one refund, stock +2 once
    results = at_once(
        [lambda: services.return_receive(order=order, actor=owner, restock=True) for _ in range(5)]
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert Refund.objects.filter(order=order).count() == 1
    assert Order.objects.get(pk=order.pk).refunded_total == Decimal("136.00")
    assert Variant.objects.get(pk=variant.pk).stock == 12
    assert OrderLine.objects.get(pk=tgy.pk).returned_quantity == 2
