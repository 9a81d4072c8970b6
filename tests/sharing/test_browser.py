"""A shopper shares a product with a friend; the friend opens the link in their own browser
and buys; the seller sees the order came through the shopper's share."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from orders.models import Order
from orders.services.cart import address_create
from tests.factories import UserFactory
from tests.orders.test_browser import log_in, seller_page, stall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_friend_buys_through_a_shared_link_and_the_seller_sees_who_shared_it(
    live_server, page: Page, browser
):
    base = live_server.url
    honey = stall("qinling@example.com", "秦岭蜂蜜", "qinling", "洋槐蜜 Acacia honey", "58.00")
    UserFactory(email="chenlu@example.com", display_name="Chen Lu")
    friend = UserFactory(email="wang@example.com", display_name="Wang Qiang")
    address_create(
        user=friend,
        fields={
            "recipient": "王强",
            "mobile": "13698765432",
            "province": "beijing",
            "city": "北京市",
            "district": "海淀区",
            "street": "中关村南大街 5 号",
        },
        make_default=True,
    )
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)

    # Chen Lu shares the honey and copies her link.
    log_in(page, base, "chenlu@example.com")
    page.goto(base + honey.get_absolute_url())
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_role("heading", name="Share “洋槐蜜 Acacia honey”")).to_be_visible()
    expect(page.get_by_role("img", name="QR code of your share link")).to_be_visible()
    page.get_by_role("button", name="Copy the link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    shared_url = page.evaluate("navigator.clipboard.readText()")
    assert shared_url == page.get_by_label("Send this link to your friends").input_value()
    assert "/share/" in shared_url

    # Her friend opens it in a browser of his own, puts the honey in the cart, logs in, buys.
    friend_page = browser.new_context().new_page()
    friend_page.on(
        "console", lambda m: csp.append(m.text) if "Content Security" in m.text else None
    )
    friend_page.goto(shared_url)
    expect(friend_page.get_by_role("heading", name="洋槐蜜 Acacia honey")).to_be_visible()
    friend_page.get_by_role("button", name="Add to cart").click()
    log_in(friend_page, base, "wang@example.com")
    friend_page.goto(f"{base}/cart/")
    friend_page.get_by_role("link", name="Check out").click()
    friend_page.get_by_role("button", name="Place my orders").click()
    friend_page.get_by_role("button", name="Pay now").click()
    friend_page.get_by_role("button", name="Pay", exact=True).click()
    friend_page.get_by_role("link", name="See the order").click()
    expect(friend_page.get_by_text("paid", exact=False).first).to_be_visible()
    friend_page.context.close()

    order = Order.objects.get(buyer=friend)
    assert order.referrer.email == "chenlu@example.com"

    # The seller sees it came through Chen Lu's share, in the list and on the order.
    seller = seller_page(browser, base, "qinling@example.com")
    seller.goto(base + reverse("orders:seller-list", args=["qinling"]))
    expect(seller.get_by_text("shared by Chen Lu")).to_be_visible()
    seller.goto(base + order.get_seller_url())
    expect(seller.get_by_text("A share by Chen Lu")).to_be_visible()
    seller.context.close()

    # Chen Lu sees one order on her link, and nothing about who bought.
    page.reload()
    expect(page.get_by_text("1 order")).to_be_visible()
    expect(page.get_by_text("Wang Qiang")).to_have_count(0)
    assert csp == []


# The phone's share sheet is outside our walls: the test stands in for it and records what
# the page handed over.
SHARE_SHEET = """
window.__shared = [];
navigator.canShare = (data) => Boolean(data && data.files && data.files.length);
navigator.share = async (data) => {
  window.__shared.push({
    title: data.title,
    files: (data.files || []).map((f) => ({ name: f.name, type: f.type, size: f.size })),
  });
};
"""


def test_the_poster_goes_to_the_phones_share_sheet_as_a_picture(live_server, page: Page):
    base = live_server.url
    honey = stall("qinling@example.com", "秦岭蜂蜜", "qinling", "洋槐蜜 Acacia honey", "58.00")
    UserFactory(email="chenlu@example.com", display_name="Chen Lu")
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    page.add_init_script(SHARE_SHEET)

    log_in(page, base, "chenlu@example.com")
    page.goto(base + honey.get_absolute_url())
    page.get_by_role("button", name="Share", exact=True).click()
    page.get_by_role("link", name="Make a poster").click()
    send = page.get_by_role("button", name="Send the poster…")
    expect(send).to_be_visible()  # once the poster is made (the page polls with htmx)
    send.click()

    page.wait_for_function("window.__shared.length === 1")
    [shared] = page.evaluate("window.__shared")
    assert shared["title"] == "洋槐蜜 Acacia honey"
    [file] = shared["files"]
    assert file["name"] == f"{honey.slug}-poster.png"
    assert file["type"] == "image/png" and file["size"] > 10_000
    assert csp == []
