"""One shopper buys from two stalls in one checkout and pays both in the sandbox gateway; each
seller ships; the shopper confirms one parcel and returns the other within 7 days, and sees
the refund."""

import pytest
from playwright.sync_api import Browser, Page, expect

from orders.models import Order
from orders.services.cart import address_create
from tests.catalog.factories import ProvenanceFactory, PublishedProductFactory, VariantFactory
from tests.factories import PASSWORD, ShopFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def stall(owner_email: str, name: str, slug: str, title: str, price: str):
    seller = UserFactory(email=owner_email, display_name=name)
    shop = ShopFactory(owner=seller, name=name, slug=slug, shipping_fee="10.00")
    product = PublishedProductFactory(shop=shop, title=title, slug=f"{slug}-goods")
    ProvenanceFactory(product=product)
    VariantFactory(product=product, sku=f"{slug}-1", price=price, stock=5)
    return product


def seller_page(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context().new_page()
    log_in(page, base, email)
    return page


def test_buy_from_two_stalls_pay_ship_confirm_and_return(live_server, page: Page, browser):
    base = live_server.url
    tea = stall("laogao@example.com", "老高的茶叶铺", "lao-gao", "铁观音 Tieguanyin", "68.00")
    cup = stall("tao@example.com", "景德镇陶师傅", "tao", "青花茶杯 Blue cup", "45.00")
    shopper = UserFactory(email="mei@example.com", display_name="Mei Lin")
    address_create(
        user=shopper,
        fields={
            "recipient": "林梅",
            "mobile": "13812345678",
            "province": "shanghai",
            "city": "上海市",
            "district": "徐汇区",
            "street": "漕溪北路 88 号 1201 室",
        },
        make_default=True,
    )
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)

    # Two stalls' goods into one cart, one checkout.
    log_in(page, base, "mei@example.com")
    for product in (tea, cup):
        page.goto(base + product.get_absolute_url())
        page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{base}/cart/")
    expect(page.get_by_role("heading", name="老高的茶叶铺")).to_be_visible()
    expect(page.get_by_role("heading", name="景德镇陶师傅")).to_be_visible()
    page.get_by_role("link", name="Check out").click()
    page.get_by_role("button", name="Place my orders").click()

    # Two orders, each paid on the sandbox gateway's own page.
    expect(page.get_by_role("button", name="Pay now")).to_have_count(2)
    done_url = page.url
    for _ in range(2):
        page.goto(done_url)
        page.get_by_role("button", name="Pay now").first.click()
        expect(page.get_by_text("sandbox", exact=False).first).to_be_visible()
        page.get_by_role("button", name="Pay", exact=True).click()
        page.get_by_role("link", name="See the order").click()
        expect(page.get_by_text("paid", exact=False).first).to_be_visible()
    orders = {o.shop.slug: o for o in Order.objects.select_related("shop")}
    assert {o.status for o in orders.values()} == {"paid"}

    # Each seller ships their order.
    for email, slug, number in (
        ("laogao@example.com", "lao-gao", "SF1402938475610"),
        ("tao@example.com", "tao", "EMS1185502934CN"),
    ):
        seller = seller_page(browser, base, email)
        seller.goto(base + orders[slug].get_seller_url())
        seller.get_by_label("Carrier").fill("SF Express")
        seller.get_by_label("Tracking number").fill(number)
        seller.get_by_role("button", name="Mark as shipped").click()
        expect(seller.get_by_text(number).first).to_be_visible()
        seller.context.close()

    # The shopper confirms the tea and confirms, then returns, the cup.
    for slug in ("lao-gao", "tao"):
        page.goto(base + orders[slug].get_absolute_url())
        page.get_by_role("button", name="Confirm receipt").click()
        expect(page.get_by_role("link", name="Ask to return goods")).to_be_visible()
    page.get_by_role("link", name="Ask to return goods").click()
    page.get_by_label("青花茶杯 Blue cup", exact=False).first.select_option("1")
    page.get_by_role("button", name="Ask to return").click()
    expect(page.get_by_text("waiting for the seller")).to_be_visible()

    potter = seller_page(browser, base, "tao@example.com")
    potter.goto(base + orders["tao"].get_seller_url())
    potter.get_by_role("button", name="Accept the return").click()
    expect(potter.get_by_text("Waiting for the buyer to send the goods back.")).to_be_visible()

    page.reload()
    page.get_by_label("Carrier").fill("EMS")
    page.get_by_label("Tracking number").fill("EMS9900112233CN")
    page.get_by_role("button", name="I have sent them").click()

    potter.reload()
    potter.get_by_role("button", name="The goods arrived: refund").click()
    potter.context.close()

    page.reload()
    expect(page.get_by_text("refunded", exact=False).first).to_be_visible()
    cup_order = Order.objects.get(pk=orders["tao"].pk)
    # Everything came back, so the shipping is refunded too.
    assert (cup_order.status, cup_order.refunded_total) == ("refunded", cup_order.total)
    assert Order.objects.get(pk=orders["lao-gao"].pk).status == "received"
    assert csp == []
