"""The bell in a real Chromium: count, list, mark one read (htmx), mark all read."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, NotificationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_violations(page: Page):
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def log_in(page: Page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_the_bell_counts_and_the_list_reads(live_server, page: Page, csp_violations):
    page.set_viewport_size({"width": 360, "height": 740})
    user = UserFactory(email="gao@example.com", display_name="Lao Gao")
    for label in ("Stall logo", "Banner", "Tea photo"):
        NotificationFactory(recipient=user, context={"purpose_label": label, "reason": "Damaged."})

    log_in(page, live_server, "gao@example.com")
    bell = page.get_by_role("banner").get_by_role("link", name="Notifications, 3 unread")
    expect(bell).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the header is {overflow}px wider than a 360px phone"

    bell.click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    rows = page.locator(".notification")
    expect(rows).to_have_count(3)
    expect(page.locator(".notification--unread")).to_have_count(3)

    # One read, in place (htmx): the row calms down and the bell counts down.
    rows.first.get_by_role("button", name="Mark as read").click()
    expect(page.locator(".notification--unread")).to_have_count(2)
    expect(page.get_by_role("link", name="Notifications, 2 unread")).to_be_visible()
    expect(rows).to_have_count(3)

    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("All your notifications are marked as read.")).to_be_visible()
    expect(page.locator(".notification--unread")).to_have_count(0)
    expect(page.locator(".notification-bell__badge")).to_have_count(0)
    expect(page.get_by_role("banner").get_by_role("link", name="Notifications")).to_be_visible()

    page.get_by_role("link", name="Notification settings").click()
    expect(
        page.get_by_role("checkbox", name="A photo could not be processed: By email")
    ).to_be_checked()
    page.get_by_role("checkbox", name="A photo could not be processed: By email").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    expect(
        page.get_by_role("checkbox", name="A photo could not be processed: By email")
    ).not_to_be_checked()
    assert csp_violations == []
