"""The review pages: the permission matrix, the product page's reviews, XSS, query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse

from orders.models import Status
from reviews.models import FollowUp, HelpfulVote, Review, ReviewReport
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
def review(variant, buyer):
    return review_of(variant, buyer=buyer, rating=4, text="Fragrant")


def urls(review):
    return {
        name: reverse(f"reviews:{name}", args=[review.public_id])
        for name in ("edit", "follow-up", "reply", "follow-up-reply", "vote", "report")
    }


def write_url(line):
    return reverse("reviews:write", args=[line.order.number, line.pk])


# --- writing -----------------------------------------------------------------------------------


def test_the_buyer_writes_a_review_with_a_photo_from_the_order_page(client, variant, buyer):
    line = bought(variant, buyer=buyer)
    client.force_login(buyer)
    order_page = client.get(line.order.get_absolute_url())
    assert write_url(line) in order_page.text

    response = client.post(write_url(line), {"rating": "5", "text": "Great", "photos": [photo()]})

    review = Review.objects.get()
    assert response.status_code == 302 and f"#review-{review.public_id}" in response.url
    assert review.photo_count == 1
    assert "See your review" in client.get(line.order.get_absolute_url()).text


def test_a_bad_review_form_is_a_400_not_a_500(client, variant, buyer):
    line = bought(variant, buyer=buyer)
    client.force_login(buyer)

    for data in ({"rating": "9"}, {"rating": "5", "photos": [photo(size=(20, 20))]}, {}):
        assert client.post(write_url(line), data).status_code == 400
    assert not Review.objects.exists()


def test_a_line_not_received_yet_says_why_it_cannot_be_reviewed(client, variant, buyer):
    line = bought(variant, buyer=buyer, status=Status.SHIPPED)
    client.force_login(buyer)

    page = client.get(write_url(line))
    assert page.status_code == 200 and "confirmed receipt" in page.text
    assert client.post(write_url(line), {"rating": "5"}).status_code == 400


def test_write_urls_of_someone_elses_order_are_404(client, variant, buyer, owner, stranger):
    line = bought(variant, buyer=buyer)
    for who in (owner, stranger):
        client.force_login(who)
        assert client.get(write_url(line)).status_code == 404
        assert client.post(write_url(line), {"rating": "1"}).status_code == 404
    client.logout()
    assert client.get(write_url(line)).status_code == 302  # log in first
    assert not Review.objects.exists()


# --- the permission matrix of the other steps ----------------------------------------------------

# step → who may open it (others get a 404)
MATRIX = {
    "edit": {"buyer"},
    "follow-up": {"buyer"},
    "reply": {"owner"},
    "follow-up-reply": {"owner"},
    "report": {"owner", "stranger", "other_buyer", "buyer"},  # the author's page says no
    "vote": {"owner", "stranger", "other_buyer", "buyer"},
}


@pytest.mark.parametrize("step", list(MATRIX))
@pytest.mark.parametrize("who", ["buyer", "other_buyer", "owner", "stranger", "anonymous"])
def test_permission_matrix(client, review, buyer, owner, stranger, variant, step, who):
    people = {
        "buyer": buyer,
        "owner": owner,
        "stranger": stranger,
        "other_buyer": bought(variant).order.buyer,
    }
    url = urls(review)[step]
    if who == "anonymous":
        response = client.post(url, {"text": "x", "rating": "1", "reason": "spam"})
        assert response.status_code == 302 and "/accounts/login/" in response.url
        return
    client.force_login(people[who])
    response = client.post(url, {"text": "x", "rating": "1", "reason": "spam", "helpful": "1"})
    if who not in MATRIX[step]:
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 302, 400)


def test_the_author_edits_within_48_hours_then_the_page_says_it_is_fixed(client, review, buyer):
    client.force_login(buyer)
    response = client.post(urls(review)["edit"], {"rating": "2", "text": "Less good"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.rating, review.text) == (2, "Less good")

    Review.objects.filter(pk=review.pk).update(created_at=review.created_at - timedelta(hours=49))
    page = client.get(urls(review)["edit"])
    assert "now fixed" in page.text
    assert client.post(urls(review)["edit"], {"rating": "5", "text": "x"}).status_code == 400
    review.refresh_from_db()
    assert review.rating == 2


def test_the_follow_up_waits_15_days(client, review, buyer):
    client.force_login(buyer)
    assert client.post(urls(review)["follow-up"], {"text": "ok"}).status_code == 400

    Review.objects.filter(pk=review.pk).update(created_at=review.created_at - timedelta(days=15))
    assert client.post(urls(review)["follow-up"], {"text": "Still good"}).status_code == 302
    assert FollowUp.objects.get().text == "Still good"
    page = client.get(review.product.get_absolute_url())
    assert "Follow-up" in page.text and "Still good" in page.text


def test_the_seller_replies_on_the_product_page(client, review, owner):
    client.force_login(owner)
    page = client.get(review.product.get_absolute_url())
    assert urls(review)["reply"] in page.text

    assert client.post(urls(review)["reply"], {"text": "谢谢!"}).status_code == 302
    assert client.post(urls(review)["reply"], {"text": "again"}).status_code == 400
    page = client.get(review.product.get_absolute_url())
    assert "The stall replied" in page.text and "谢谢!" in page.text


def test_the_seller_has_no_way_to_delete_or_hide_a_review(client, review, owner):
    client.force_login(owner)
    page = client.get(review.product.get_absolute_url()).text
    assert "delete" not in page.lower() and "hide" not in page.lower()
    for step in ("edit", "follow-up"):
        assert client.post(urls(review)[step], {"text": "", "rating": "1"}).status_code == 404
    assert client.post(f"/reviews/{review.public_id}/delete/").status_code == 404
    assert client.post(f"/reviews/{review.public_id}/hide/").status_code == 404
    assert client.get(f"/admin/reviews/review/{review.pk}/change/").status_code == 302
    review.refresh_from_db()
    assert not review.is_hidden and review.text == "Fragrant"


# --- votes -------------------------------------------------------------------------------------


def test_voting_with_htmx_swaps_the_button_and_without_js_redirects(client, review, stranger):
    client.force_login(stranger)
    response = client.post(urls(review)["vote"], {"helpful": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.text and "(1)" in response.text

    response = client.post(urls(review)["vote"], {"helpful": "0"})
    assert response.status_code == 302 and "#review-" in response.url
    review.refresh_from_db()
    assert review.helpful_count == 0 and not HelpfulVote.objects.exists()


def test_the_author_cannot_vote_for_their_own_review(client, review, buyer):
    client.force_login(buyer)
    response = client.post(urls(review)["vote"], {"helpful": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 400 and "own review" in response.text
    assert not HelpfulVote.objects.exists()


# --- reports -------------------------------------------------------------------------------------


def test_reporting_once(client, review, stranger):
    client.force_login(stranger)
    assert client.get(urls(review)["report"]).status_code == 200
    assert client.post(urls(review)["report"], {"reason": "bogus"}).status_code == 400
    assert client.post(urls(review)["report"], {"reason": "spam", "note": "ad"}).status_code == 302
    assert "already" in client.get(urls(review)["report"]).text
    assert ReviewReport.objects.get().reporter == stranger


# --- the product page --------------------------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '"><a href="javascript:alert(1)">click</a>',
    "<b>bold</b><style>body{display:none}</style>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_review_text_follow_ups_and_replies_are_plain_text(client, variant, owner, payload):
    review = review_of(variant, text=payload)
    from reviews import services

    services.review_reply(review=review, actor=owner, text=payload)
    Review.objects.filter(pk=review.pk).update(created_at=review.created_at - timedelta(days=20))
    review.refresh_from_db()
    services.follow_up_add(review=review, actor=review.author, text=payload)
    services.follow_up_reply(review=review, actor=owner, text=payload)

    page = client.get(variant.product.get_absolute_url()).text

    assert payload not in page
    assert "<script>alert" not in page and "onerror=" not in page.replace("onerror=&quot;", "")
    assert "<b>bold</b>" not in page and "<style>body" not in page
    assert page.count("&lt;") >= 4


def test_the_page_shows_average_bars_verified_variant_and_sorts(client, variant):
    for rating, text in ((5, "five"), (1, "one"), (4, "four")):
        review_of(variant, rating=rating, text=text)
    url = variant.product.get_absolute_url()

    page = client.get(url).text

    assert "3.3" in page and "3 reviews" in page
    assert "bar--w35" in page and "bar--w0" in page  # 1/3 → 35 %, nothing at 2★ and 3★
    assert "verified purchase" in page and "250 g" in page
    lowest = client.get(url, {"reviews": "lowest"}).text
    assert lowest.index("one") < lowest.index("four") < lowest.index("five")
    assert "No reviews with photos yet" in client.get(url, {"reviews": "photos"}).text
    assert client.get(url, {"reviews": "bogus", "rpage": "x"}).status_code == 200


def test_a_hidden_review_shows_removed_by_moderation_without_text_or_photos(
    client, variant, admin_user
):
    from reviews import services

    review = review_of(variant, rating=1, text="secret phone 13800000000", photos=[photo()])
    services.review_hide(review=review, actor=admin_user, reason="Private data")

    page = client.get(variant.product.get_absolute_url()).text

    assert "removed by moderation" in page and "13800000000" not in page
    assert "review__photo" not in page
    assert "No reviews yet" in page  # the average counts visible reviews only


def test_a_product_without_reviews_says_so(client, variant):
    page = client.get(variant.product.get_absolute_url()).text
    assert "No reviews yet" in page


@pytest.mark.parametrize("count", [1, 30])
def test_the_product_page_with_reviews_runs_a_bounded_number_of_queries(
    client, variant, count, django_assert_max_num_queries
):
    for index in range(count):
        review = review_of(variant, rating=1 + index % 5, photos=[photo()] if index < 3 else [])
        if index % 2:
            Review.objects.filter(pk=review.pk).update(seller_reply="Thanks")
    client.force_login(UserFactory())

    # The product page's own 9 (the rating row is joined to the product), plus: the reviews'
    # count, one page of reviews (authors and follow-ups joined, the viewer's votes
    # annotated), their photos.
    with django_assert_max_num_queries(12):
        response = client.get(variant.product.get_absolute_url(), {"reviews": "helpful"})

    assert response.status_code == 200
    assert response.text.count('class="review ') + response.text.count('class="review"') == min(
        count, 10
    )
