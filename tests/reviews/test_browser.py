"""A buyer reviews what they received, with a photo; the stall replies; a third shopper reports
the review; an admin hides it from the report queue in Django admin with a reason; the
product's average no longer counts it. Each person in their own browser, no CSP violation."""

import io

import pytest
from PIL import Image as PILImage
from playwright.sync_api import Browser, Page, expect

from orders.models import Status
from reviews.models import Review, ReviewReport
from tests.factories import UserFactory
from tests.orders.factories import make_order
from tests.orders.test_browser import log_in
from tests.reviews.review_factories import make_stall, review_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPAM = "Stale and bitter. Real tea at cheap-tea.example, half the price!"


def png_bytes(width: int = 800, height: int = 600, colour=(120, 160, 90)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def csp() -> list[str]:
    return []


@pytest.fixture
def person(browser: Browser, live_server, csp):
    """A logged-in page of its own (own cookies) for ``email``."""
    contexts = []

    def open_as(email: str) -> Page:
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
        log_in(page, live_server.url, email)
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_review_with_photo_reply_report_and_moderation(live_server, person, csp):
    base = live_server.url
    seller = UserFactory(email="laogao@example.com", display_name="老高 Lao Gao")
    _shop, product, variant = make_stall(seller, slug="lao-gao", title="铁观音 Tieguanyin")
    review_of(variant, rating=5, text="Sweet, orchid aroma.")  # another buyer, earlier
    buyer = UserFactory(email="mei@example.com", display_name="Mei Lin")
    order = make_order(buyer=buyer, variants=[variant], status=Status.RECEIVED)
    UserFactory(email="hua@example.com", display_name="A-Hua")
    UserFactory(email="mod@example.com", display_name="Moderator", is_staff=True, is_superuser=True)
    product_url = base + product.get_absolute_url()

    # The buyer reviews the line from the order page: one star, text and a photo.
    shopper = person("mei@example.com")
    shopper.goto(base + order.get_absolute_url())
    shopper.get_by_role("link", name="Write a review").click()
    expect(shopper.get_by_text("You bought: 250 g.")).to_be_visible()
    shopper.get_by_label("1 star: bad").check()
    shopper.get_by_label("Your review (optional)").fill(SPAM)
    shopper.get_by_label("Photos (optional, up to 6)").set_input_files(
        {"name": "IMG_0412.PNG", "mimeType": "image/png", "buffer": png_bytes()}
    )
    shopper.get_by_role("button", name="Publish my review").click()

    expect(shopper.get_by_text("Thank you: your review is on the product's page.")).to_be_visible()
    review = Review.objects.get(author=buyer)
    mine = shopper.locator(f"#review-{review.public_id}")
    expect(mine.get_by_text("verified purchase")).to_be_visible()
    photo = mine.get_by_role("img", name="Buyer's photo")
    photo.scroll_into_view_if_needed()
    expect(photo).to_be_visible()
    photo.evaluate("img => img.decode()")  # lazy: loads once on screen; fails if it cannot
    assert photo.evaluate("img => img.naturalWidth") > 0
    summary = shopper.locator(".rating-summary")
    expect(summary.locator(".rating-summary__number")).to_have_text("3.0")
    expect(summary.get_by_text("2 reviews")).to_be_visible()

    # The stall replies publicly, once.
    stall = person("laogao@example.com")
    stall.goto(product_url)
    stall.locator(f"#review-{review.public_id}").get_by_role("link", name="Reply publicly").click()
    stall.get_by_label("Your public reply").fill("We are sorry; write to us and we will help.")
    stall.get_by_role("button", name="Publish my reply").click()
    expect(stall.get_by_text("Your reply is published.")).to_be_visible()
    reply = stall.locator(f"#review-{review.public_id} .review__reply")
    expect(reply).to_contain_text("We are sorry; write to us and we will help.")
    expect(
        stall.locator(f"#review-{review.public_id}").get_by_text("Reply publicly")
    ).to_have_count(0)

    # A third shopper reports it as advertising.
    reader = person("hua@example.com")
    reader.goto(product_url)
    reader.locator(f"#review-{review.public_id}").get_by_role("link", name="Report").click()
    reader.get_by_label("spam or advertising").check()
    reader.get_by_label("Details (optional)").fill("It sends people to another shop.")
    reader.get_by_role("button", name="Send the report").click()
    expect(
        reader.get_by_text("Thank you: the moderators will look at this review.")
    ).to_be_visible()

    # An admin hides it from the report queue in Django admin, with a reason.
    admin = person("mod@example.com")
    admin.goto(f"{base}/admin/")
    admin.get_by_role("link", name="Review reports").click()
    expect(admin.get_by_text("cheap-tea.example")).to_be_visible()
    admin.locator("input[name=_selected_action]").first.check()
    admin.locator("select[name=action]").select_option("hide_review")
    admin.locator("button[name=index]").click()
    expect(admin.get_by_role("heading", name="Hide the review")).to_be_visible()
    admin.get_by_label("Reason").fill("Advertising another shop is not allowed in reviews.")
    admin.get_by_role("button", name="Confirm").click()
    expect(admin.get_by_text("1 done: Hide the review.")).to_be_visible()

    report = ReviewReport.objects.get()
    assert report.status == ReviewReport.Status.HIDDEN and report.decided_by.is_superuser

    # The product page: the review shows "removed by moderation" and no longer counts.
    shopper.goto(product_url)
    expect(shopper.locator(f"#review-{review.public_id}")).to_contain_text("removed by moderation")
    expect(shopper.get_by_text(SPAM)).to_have_count(0)
    expect(shopper.get_by_role("img", name="Buyer's photo")).to_have_count(0)
    expect(summary.locator(".rating-summary__number")).to_have_text("5.0")
    expect(summary.get_by_text("1 review", exact=True)).to_be_visible()
    # The author is told why.
    shopper.goto(f"{base}/notifications/")
    expect(shopper.get_by_text("Advertising another shop is not allowed").first).to_be_visible()
    assert csp == []
