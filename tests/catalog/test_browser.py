"""A seller lists tea with two sizes, a photo and a full provenance card; a shopper finds it by
a Chinese word inside its title, opens it and sees where it comes from and who sells it."""

import re

import pytest
from playwright.sync_api import Page, expect

from shops import services as shop_services
from tests.factories import PASSWORD, ShopFactory, UserFactory
from tests.shops.conftest import ID_NUMBER, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def verified_stall(admin_user):
    seller = UserFactory(email="laogao@example.com", display_name="Lao Gao")
    shop = ShopFactory(owner=seller, name="老高的茶叶铺", slug="lao-gao-de-cha-ye-pu")
    request = shop_services.verification_request(
        shop=shop, actor=seller, kind="identity", real_name="高建国", id_number=ID_NUMBER
    )
    shop_services.verification_approve(verification=request, actor=admin_user)
    return shop


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_seller_lists_tea_and_a_shopper_finds_it_by_a_chinese_word(
    live_server, page: Page, verified_stall, tmp_path
):
    photo = tmp_path / "tea.png"
    photo.write_bytes(png_bytes(900, 900, colour=(60, 120, 40)))
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    base = live_server.url

    log_in(page, base, "laogao@example.com")
    page.get_by_role("banner").get_by_role("link", name="My stall").click()
    page.get_by_role("link", name="Add a product").click()
    page.get_by_label("Title").fill("西湖龙井茶叶 明前特级")
    page.get_by_label("Category").select_option(label="Tea")
    page.get_by_label("Description").fill("Hand-fired Longjing from Meijiawu, before Qingming.")
    rows = page.locator("fieldset.variant-row")
    first, second = rows.nth(0), rows.nth(1)
    first.get_by_label("Price (¥)").fill("128.00")
    first.get_by_label("In stock").fill("20")
    first.get_by_label("Size or weight").fill("100 g")
    page.locator("summary", has_text="Add another variant").click()
    second.get_by_label("Price (¥)").fill("238.00")
    second.get_by_label("In stock").fill("8")
    second.get_by_label("Size or weight").fill("250 g")
    page.get_by_label("Add photos", exact=True).set_input_files(str(photo))
    page.get_by_label("Manufacturer", exact=True).fill("杭州梅家坞茶厂")
    page.get_by_label("Manufacturer address").fill("杭州市西湖区梅家坞村")
    page.get_by_label("Origin").fill("Meijiawu, Hangzhou, Zhejiang")
    page.get_by_label("Production date").fill("2026-04-02")
    page.get_by_label("Shelf life").fill("18 months")
    page.get_by_label("Licence or certificate number").fill("SC11433010600123")
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published: shoppers can see it now.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # A shopper searches for a word inside the title.
    page.goto(base)
    page.get_by_role("searchbox").fill("茶叶")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=re.compile("西湖龙井茶叶")).first.click()

    expect(page.get_by_role("heading", level=1, name="西湖龙井茶叶 明前特级")).to_be_visible()
    expect(page.get_by_text("杭州梅家坞茶厂")).to_be_visible()
    expect(page.get_by_text("Meijiawu, Hangzhou, Zhejiang")).to_be_visible()
    expect(page.get_by_text("Identity verified").first).to_be_visible()
    page.get_by_role("link", name=re.compile("250 g")).click()
    expect(page.get_by_text("¥238.00").first).to_be_visible()
    assert csp == []
