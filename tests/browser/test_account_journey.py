"""A new visitor signs up, confirms by mail, logs in and out — in a real Chromium."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

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


def test_sign_up_confirm_log_in_and_out(live_server, page: Page, csp_violations):
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Email").fill("mei@example.com")
    page.get_by_label("Display name").fill("Mei Lin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()

    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    assert len(mail.outbox) == 1
    link = CONFIRM_LINK.search(mail.outbox[0].body).group(0)

    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    # Confirming in the browser that signed up logs the new member straight in.
    expect(page.get_by_role("banner").get_by_text("Mei Lin")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("banner").get_by_text("Mei Lin")).to_have_count(0)

    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email").fill("mei@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("banner").get_by_text("Mei Lin")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
    assert csp_violations == []


def test_the_square_fits_a_phone_screen(live_server, page: Page, csp_violations):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url)

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 360px phone"
    expect(page.get_by_role("search")).to_be_visible()
    expect(page.get_by_role("link", name="Cart")).to_be_visible()
    assert csp_violations == []
