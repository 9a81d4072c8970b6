"""A new user confirms their email, opens "老高的茶叶铺" with a logo, and a shopper follows it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, UserFactory
from tests.shops.conftest import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


@pytest.fixture
def csp_violations(page: Page):
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def log_in(page: Page, email: str) -> None:
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_open_a_stall_and_get_a_follower(live_server, page: Page, csp_violations, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_bytes(400, 400))
    shopper = UserFactory(email="mei@example.com", display_name="Mei Lin")

    # A new user signs up and confirms the email from the mail.
    page.goto(live_server.url)
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Email").fill("laogao@example.com")
    page.get_by_label("Display name").fill("Lao Gao")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    link = CONFIRM_LINK.search(mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("banner").get_by_text("Lao Gao")).to_be_visible()

    # …opens a stall with a Chinese name and a logo…
    page.get_by_role("banner").get_by_role("link", name="My stall").click()
    expect(page.get_by_role("heading", name="Open your stall")).to_be_visible()
    page.get_by_label("Stall name").fill("老高的茶叶铺")
    page.get_by_label("Tagline").fill("Anxi oolong from our own garden")
    page.get_by_label("Region").select_option("fujian")
    page.get_by_label("City").fill("Anxi")
    page.get_by_label("Logo").set_input_files(str(logo))
    page.get_by_role("button", name="Open my stall").click()
    expect(page).to_have_url(f"{live_server.url}/stalls/lao-gao-de-cha-ye-pu/")
    expect(page.get_by_role("heading", level=1, name="老高的茶叶铺")).to_be_visible()

    # …and sees it on the square.
    page.get_by_role("link", name="microstore").first.click()
    expect(page.get_by_role("link", name=re.compile("老高的茶叶铺"))).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # A second user follows it (htmx swaps the button and the count).
    log_in(page, shopper.email)
    page.get_by_role("link", name=re.compile("老高的茶叶铺")).click()
    expect(page.get_by_text("0 followers")).to_be_visible()
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_text("1 follower", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Unfollow"))).to_be_visible()

    page.goto(f"{live_server.url}/following/")
    expect(page.get_by_role("link", name=re.compile("老高的茶叶铺"))).to_be_visible()
    assert csp_violations == []
