"""The review services: who may review, edit, follow up, reply, vote, report; moderation and
the product's numbers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from microstore.errors import DomainError
from microstore.notifications.models import Notification
from orders.models import OrderLine, Status
from reviews import selectors, services
from reviews.models import (
    FollowUp,
    HelpfulVote,
    ProductRating,
    Review,
    ReviewReport,
    ReviewRevision,
)
from reviews.scoring import bayesian_mean
from shops.models import ShopMember
from tests.factories import UserFactory
from tests.reviews.review_factories import bought, make_stall, photo, review_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def stall(owner):
    return make_stall(owner)


@pytest.fixture
def variant(stall):
    return stall[2]


@pytest.fixture
def product(stall):
    return stall[1]


@pytest.fixture
def line(variant, buyer):
    return bought(variant, buyer=buyer)


def write(line, actor=None, **kwargs):
    kwargs.setdefault("rating", 4)
    kwargs.setdefault("text", "Nice")
    return services.review_create(order_line=line, actor=actor or line.order.buyer, **kwargs)


# --- who may review ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.COMPLETED])
def test_the_buyer_of_a_received_line_reviews_it_as_a_verified_purchase(variant, buyer, status):
    line = bought(variant, buyer=buyer, status=status)

    review = write(line, rating=5, text="香 Fragrant")

    assert review.author == buyer and review.rating == 5
    assert review.variant_name == "250 g" and review.product_id == variant.product_id
    assert review.shop_id == variant.shop_id


@pytest.mark.parametrize(
    "status",
    [Status.AWAITING_PAYMENT, Status.PAID, Status.SHIPPED, Status.CANCELLED, Status.REFUNDED],
)
def test_lines_not_received_or_cancelled_or_refunded_cannot_be_reviewed(variant, buyer, status):
    line = bought(variant, buyer=buyer, status=status)

    with pytest.raises(DomainError):
        write(line)
    assert not Review.objects.exists()


def test_other_people_cannot_review_a_line_they_did_not_buy(line, owner, stranger):
    for who in (owner, stranger):
        with pytest.raises(DomainError, match="Only the buyer"):
            write(line, actor=who)


def test_a_line_is_reviewed_once_and_a_double_submit_returns_the_first(line):
    first = write(line)
    again = write(line, rating=1, text="changed my mind")

    assert again.pk == first.pk and Review.objects.get().rating == 4


def test_a_stall_member_who_has_a_line_of_their_own_stall_is_refused(variant, stall, owner):
    # The owner cannot buy from themselves through checkout, but even a line made by hand is
    # refused: fake-looking self reviews never count.
    line = bought(variant, buyer=owner)
    with pytest.raises(DomainError, match="your own stall"):
        write(line)
    helper = UserFactory()
    ShopMember.objects.create(shop=stall[0], user=helper, role="staff")
    with pytest.raises(DomainError, match="your own stall"):
        write(bought(variant, buyer=helper))


def test_a_fully_returned_line_cannot_be_reviewed_but_a_partly_returned_one_can(variant, buyer):
    whole = bought(variant, buyer=buyer, quantity=2)
    OrderLine.objects.filter(pk=whole.pk).update(returned_quantity=2)
    whole.refresh_from_db()
    with pytest.raises(DomainError, match="returned all"):
        write(whole)

    part = bought(variant, buyer=buyer, quantity=2)
    OrderLine.objects.filter(pk=part.pk).update(returned_quantity=1)
    part.refresh_from_db()
    assert write(part).pk


@pytest.mark.parametrize("rating", [0, 6, "x", None])
def test_the_rating_is_one_to_five_stars(line, rating):
    with pytest.raises(DomainError, match="1 to 5"):
        write(line, rating=rating)


def test_photos_go_through_the_image_pipeline_up_to_six(line, buyer):
    with pytest.raises(DomainError, match="at most 6"):
        write(line, photos=[photo() for _ in range(7)])

    review = write(line, photos=[photo(), photo()])

    assert review.photo_count == 2
    assert [p.image.owner_id for p in review.photos.all()] == [buyer.pk, buyer.pk]
    assert {p.image.purpose for p in review.photos.all()} == {"review"}


def test_the_seller_hears_of_a_new_review(line, owner):
    write(line, rating=2)

    note = Notification.objects.get(recipient=owner, kind="reviews.new")
    assert note.context["rating"] == 2 and "#review-" in note.target_url


# --- editing within 48 hours -------------------------------------------------------------------


def test_the_author_edits_within_48_hours_and_the_old_version_is_kept(line, buyer):
    review = write(line, rating=5, text="first")
    soon = review.created_at + timedelta(hours=47)

    services.review_edit(review=review, actor=buyer, rating=3, text="second", now=soon)

    review.refresh_from_db()
    assert (review.rating, review.text, review.edited_at) == (3, "second", soon)
    old = ReviewRevision.objects.get(review=review)
    assert (old.rating, old.text) == (5, "first")
    assert ProductRating.objects.get(product=review.product).average == Decimal("3.00")


def test_after_48_hours_the_review_is_fixed(line, buyer):
    review = write(line)
    late = review.created_at + timedelta(hours=48)

    with pytest.raises(DomainError, match="48 hours"):
        services.review_edit(review=review, actor=buyer, rating=1, text="x", now=late)
    assert not ReviewRevision.objects.exists()


def test_only_the_author_edits(line, owner, stranger):
    review = write(line)
    for who in (owner, stranger):
        with pytest.raises(DomainError, match="Only the author"):
            services.review_edit(review=review, actor=who, rating=1, text="x")


# --- follow-up after 15 days -----------------------------------------------------------------


def test_a_follow_up_comes_after_15_days_once(line, buyer):
    review = write(line)
    with pytest.raises(DomainError, match="15 days"):
        services.follow_up_add(
            review=review, actor=buyer, text="ok", now=review.created_at + timedelta(days=14)
        )

    later = review.created_at + timedelta(days=15)
    services.follow_up_add(review=review, actor=buyer, text="Still great", now=later)

    assert FollowUp.objects.get(review=review).text == "Still great"
    with pytest.raises(DomainError, match="already"):
        services.follow_up_add(review=review, actor=buyer, text="again", now=later)


def test_only_the_author_follows_up(line, owner, stranger):
    review = write(line)
    later = review.created_at + timedelta(days=20)
    for who in (owner, stranger):
        with pytest.raises(DomainError, match="Only the author"):
            services.follow_up_add(review=review, actor=who, text="x", now=later)


# --- the seller's replies ----------------------------------------------------------------------


def test_the_seller_replies_once_to_the_review_and_once_to_the_follow_up(line, buyer, owner):
    review = write(line)
    services.review_reply(review=review, actor=owner, text="谢谢 Thank you")
    with pytest.raises(DomainError, match="already replied"):
        services.review_reply(review=review, actor=owner, text="again")
    with pytest.raises(DomainError, match="no follow-up"):
        services.follow_up_reply(review=review, actor=owner, text="x")

    services.follow_up_add(
        review=review, actor=buyer, text="Held up", now=review.created_at + timedelta(days=16)
    )
    services.follow_up_reply(review=review, actor=owner, text="Glad to hear")
    with pytest.raises(DomainError, match="already replied"):
        services.follow_up_reply(review=review, actor=owner, text="again")

    review.refresh_from_db()
    assert review.seller_reply == "谢谢 Thank you" and review.follow_up.seller_reply
    assert Notification.objects.filter(recipient=buyer, kind="reviews.reply").count() == 2


def test_nobody_but_the_stall_replies(line, buyer, stranger):
    review = write(line)
    for who in (buyer, stranger):
        with pytest.raises(DomainError, match="Only the stall"):
            services.review_reply(review=review, actor=who, text="x")


# --- helpful votes -----------------------------------------------------------------------------


def test_helpful_votes_once_per_person_and_never_on_ones_own(line, buyer, stranger, owner):
    review = write(line)

    assert services.vote_set(review=review, actor=stranger, helpful=True) is True
    assert services.vote_set(review=review, actor=stranger, helpful=True) is True  # idempotent
    services.vote_set(review=review, actor=owner, helpful=True)
    review.refresh_from_db()
    assert review.helpful_count == 2 and HelpfulVote.objects.count() == 2

    assert services.vote_set(review=review, actor=stranger, helpful=False) is False
    services.vote_set(review=review, actor=stranger, helpful=False)
    review.refresh_from_db()
    assert review.helpful_count == 1

    with pytest.raises(DomainError, match="your own review"):
        services.vote_set(review=review, actor=buyer, helpful=True)


# --- reports and moderation --------------------------------------------------------------------


def test_anyone_logged_in_reports_once_but_not_their_own_review(line, buyer, stranger, owner):
    review = write(line)

    report, created = services.review_report(
        review=review, actor=stranger, reason="spam", note="ad"
    )
    again, created_again = services.review_report(review=review, actor=stranger, reason="abuse")
    services.review_report(review=review, actor=owner, reason="off_topic")

    assert created and not created_again and again.pk == report.pk
    assert ReviewReport.objects.filter(status="open").count() == 2
    with pytest.raises(DomainError, match="your own review"):
        services.review_report(review=review, actor=buyer, reason="spam")
    with pytest.raises(DomainError, match="why"):
        services.review_report(review=review, actor=UserFactory(), reason="nonsense")


def test_hiding_removes_the_review_from_the_average_and_tells_the_author(
    variant, admin_user, stranger
):
    review_of(variant, rating=5)
    bad = review_of(variant, rating=1, text="spam spam")
    services.review_report(review=bad, actor=stranger, reason="spam")
    assert ProductRating.objects.get().average == Decimal("3.00")

    report = ReviewReport.objects.get()
    services.review_hide(review=report.review, actor=admin_user, reason="Advertising")

    bad.refresh_from_db()
    report.refresh_from_db()
    assert bad.is_hidden and bad.hidden_reason == "Advertising"
    assert report.status == "hidden" and report.decided_by == admin_user
    rating = ProductRating.objects.get()
    assert (rating.count, rating.average, rating.distribution) == (
        1,
        Decimal("5.00"),
        [0, 0, 0, 0, 1],
    )
    note = Notification.objects.get(recipient=bad.author, kind="reviews.hidden")
    assert note.context["reason"] == "Advertising"

    services.review_unhide(review=bad, actor=admin_user)
    assert ProductRating.objects.get().count == 2


def test_keeping_closes_the_report_and_changes_nothing_else(line, admin_user, stranger):
    review = write(line)
    report, _created = services.review_report(review=review, actor=stranger, reason="abuse")

    services.report_keep(report=report, actor=admin_user, reason="Honest opinion")

    report.refresh_from_db()
    review.refresh_from_db()
    assert report.status == "kept" and report.decision_reason == "Honest opinion"
    assert not review.is_hidden


def test_sellers_and_buyers_cannot_hide_reviews(line, owner, buyer):
    review = write(line)
    for who in (owner, buyer):
        with pytest.raises(DomainError, match="moderators"):
            services.review_hide(review=review, actor=who, reason="I do not like it")
    review.refresh_from_db()
    assert not review.is_hidden


def test_a_moderator_must_give_a_reason(line, admin_user):
    review = write(line)
    with pytest.raises(DomainError, match="reason"):
        services.review_hide(review=review, actor=admin_user, reason="  ")


# --- the numbers -------------------------------------------------------------------------------


def test_the_product_rating_counts_averages_and_distributes(variant):
    for rating in (5, 5, 4, 1):
        review_of(variant, rating=rating)

    rating = ProductRating.objects.get(product=variant.product)

    assert rating.count == 4 and rating.average == Decimal("3.75")
    assert rating.distribution == [1, 0, 0, 1, 2]
    assert rating.smoothed == bayesian_mean(total=15, count=4)
    bars = selectors.rating_bars(rating)
    assert [b["stars"] for b in bars] == [5, 4, 3, 2, 1]
    assert [b["width"] for b in bars] == [50, 25, 0, 0, 25]


def test_one_five_star_review_does_not_beat_a_hundred_at_4_8():
    one = bayesian_mean(total=5, count=1)
    hundred = bayesian_mean(total=480, count=100)

    assert one < hundred
    assert hundred > Decimal("4.6") and one < Decimal("3.7")


def test_now_defaults_to_the_clock(line, buyer):
    review = write(line)
    assert services.can_edit(review)
    assert not services.can_follow_up(review)
    assert services.can_follow_up(review, now=timezone.now() + timedelta(days=15, seconds=1))
