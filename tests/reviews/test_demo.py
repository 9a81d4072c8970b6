"""The demo reviews are written through the real services on orders really received, once."""

import pytest

from catalog.models import Product
from microstore import demo
from microstore.images.models import Image
from microstore.images.models import Status as ImageStatus
from reviews import demo as reviews_demo
from reviews.models import FollowUp, HelpfulVote, Review, ReviewReport, TrustScore

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()


def test_demo_reviews_exist_once(seeded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()  # a second seed adds nothing
    assert reviews_demo.seed_reviews() == 0

    reviews = Review.objects.select_related("author", "order_line__order")
    assert reviews.count() == 7
    assert {r.author.email for r in reviews} == set(reviews_demo.REVIEWERS)
    assert sorted(r.rating for r in reviews) == [2, 3, 4, 4, 5, 5, 5]
    # Every review is on a line its author bought and received.
    assert all(r.order_line.order.buyer_id == r.author_id for r in reviews)
    assert all(r.order_line.order.status in ("received", "completed") for r in reviews)

    xiaomei = reviews.get(author__email="xiaomei@example.com")
    assert xiaomei.rating == 5 and xiaomei.seller_reply
    assert "兰花香" in xiaomei.text and "orchid" in xiaomei.text
    (photo,) = xiaomei.photos.select_related("image")
    assert photo.image.status == ImageStatus.READY and photo.image.purpose == "review"

    assert Image.objects.filter(purpose="review").count() == 3  # not drawn again

    low = reviews.get(rating=2)
    assert low.seller_reply
    follow_up = FollowUp.objects.get()
    assert follow_up.seller_reply
    assert (follow_up.created_at - follow_up.review.created_at).days >= 15
    assert HelpfulVote.objects.count() == 1
    report = ReviewReport.objects.get()
    assert report.status == ReviewReport.Status.OPEN and report.reason == "spam"
    # The demo shows trust cards: every stall was scored, 老高 has history enough for a number.
    assert TrustScore.objects.count() == len(demo.STALLS)
    laogao = TrustScore.objects.get(shop__members__user__email="laogao@example.com")
    assert laogao.score is not None


def test_the_reviewed_tea_shows_its_average_and_the_stall_reply(seeded, client):
    tea = Product.objects.get(title__startswith="安溪铁观音")

    page = client.get(tea.get_absolute_url())

    assert page.status_code == 200
    assert tea.rating.count == 2 and str(tea.rating.average) == "4.50"
    assert '<span class="rating-summary__number">4.5</span>' in page.text
    assert "verified purchase" in page.text
    assert "The stall replied" in page.text
    assert "we will keep a tin for you" in page.text
    assert "Three weeks on, the tin keeps it" in page.text  # the follow-up
