"""The report queue in Django admin: hide the review or keep it, always with a reason."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from microstore.notifications.models import Notification
from reviews import services
from reviews.models import ProductRating, Review, ReviewReport
from tests.reviews.review_factories import make_stall, review_of

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:reviews_reviewreport_changelist")


@pytest.fixture
def reported(owner, stranger):
    _shop, _product, variant = make_stall(owner)
    review_of(variant, rating=5, text="Lovely")
    review = review_of(variant, rating=1, text="Buy cheaper at example.com!")
    report, _ = services.review_report(review=review, actor=stranger, reason="spam")
    return report


def act(client, action, report, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [report.pk], **extra}
    return client.post(QUEUE, data)


def test_the_queue_lists_open_reports_with_the_review(client, admin_user, reported):
    client.force_login(admin_user)
    page = client.get(QUEUE)
    assert page.status_code == 200 and "example.com" in page.text
    review_page = client.get(reverse("admin:reviews_review_change", args=[reported.review.pk]))
    assert review_page.status_code == 200


def test_hiding_asks_for_a_reason_then_hides_and_updates_the_average(client, admin_user, reported):
    client.force_login(admin_user)
    assert ProductRating.objects.get().average == Decimal("3.00")

    page = act(client, "hide_review", reported)
    assert page.status_code == 200 and "reason" in page.text.lower()
    assert act(client, "hide_review", reported, apply="1", reason="").status_code == 400
    done = act(client, "hide_review", reported, apply="1", reason="Advertising")

    assert done.status_code == 302
    review = Review.objects.get(pk=reported.review_id)
    assert review.is_hidden and review.hidden_reason == "Advertising"
    assert ReviewReport.objects.get().status == "hidden"
    assert ProductRating.objects.get().average == Decimal("5.00")
    assert Notification.objects.filter(recipient=review.author, kind="reviews.hidden").exists()


def test_keeping_closes_the_report_with_a_reason(client, admin_user, reported):
    client.force_login(admin_user)

    act(client, "keep_review", reported, apply="1", reason="Fair warning to others")

    report = ReviewReport.objects.get()
    assert report.status == "kept" and report.decision_reason == "Fair warning to others"
    assert not report.review.is_hidden


def test_reviews_cannot_be_added_or_deleted_in_the_admin(client, admin_user, reported):
    client.force_login(admin_user)
    assert client.get(reverse("admin:reviews_review_add")).status_code == 403
    delete = reverse("admin:reviews_review_delete", args=[reported.review_id])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Review.objects.count() == 2
