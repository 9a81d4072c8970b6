"""A member sets a profile photo in a real Chromium: it shows, sharp, with no CSP violation."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, UserFactory
from tests.images.corpus import bad_by_id, good_by_id

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
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_member_uploads_a_profile_photo(live_server, page: Page, csp_violations):
    UserFactory(email="mei@example.com", display_name="Mei Lin")
    log_in(page, live_server, "mei@example.com")
    page.goto(f"{live_server.url}/account/profile/")

    page.get_by_label("Choose a photo").set_input_files(
        {
            "name": "IMG_2040.JPG",
            "mimeType": "image/jpeg",
            "buffer": good_by_id()["rotated-jpeg-with-gps"].data,
        }
    )
    page.get_by_role("button", name="Upload photo").click()

    expect(page.get_by_text("Your new profile photo is saved.")).to_be_visible()
    photo = page.get_by_role("img", name="Mei Lin")
    expect(photo).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.picture__img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    served = photo.evaluate("img => img.currentSrc")
    assert served.endswith(".webp"), served  # Chromium takes the WebP source
    box = photo.bounding_box()
    assert box["width"] == box["height"]  # the round avatar, whatever the photo's shape
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert csp_violations == []


def test_a_pdf_is_refused_with_a_clear_message(live_server, page: Page, csp_violations):
    UserFactory(email="gao@example.com")
    log_in(page, live_server, "gao@example.com")
    page.goto(f"{live_server.url}/account/profile/")

    page.get_by_label("Choose a photo").set_input_files(
        {
            "name": "photo.jpg",
            "mimeType": "image/jpeg",
            "buffer": bad_by_id()["pdf-renamed-jpg"].data,
        }
    )
    page.get_by_role("button", name="Upload photo").click()

    expect(page.get_by_text("This file is a PDF document.")).to_be_visible()
    assert csp_violations == []
