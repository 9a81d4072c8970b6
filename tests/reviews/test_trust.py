"""The trust score: each part, the edge cases, and no hidden levers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import Dispute, Order, ReturnRequest, Status
from reviews.models import Review, TrustScore
from reviews.trust import LIMITS, WEIGHTS, trust_compute, trust_recompute
from shops.models import Shop, ShopMember
from tests.factories import UserFactory
from tests.reviews.trust_factories import dispute, orders, return_request, review, stall

pytestmark = pytest.mark.django_db


def parts_of(shop):
    score, parts = trust_compute([shop.pk])[shop.pk]
    return score, {part["key"]: part for part in parts}


def test_the_weights_add_up_to_100_and_every_part_is_reported():
    shop, variant = stall()
    orders(variant, 5)

    _score, parts = parts_of(shop)

    assert sum(WEIGHTS.values()) == 100
    assert list(parts) == list(WEIGHTS)
    assert all(part["max"] == WEIGHTS[key] for key, part in parts.items())
    assert all(0 <= part["points"] <= part["max"] for part in parts.values())


def test_a_brand_new_stall_has_no_score_but_its_facts_are_kept():
    # given a stall opened today, verified, with no orders
    shop, _variant = stall()
    Shop.objects.filter(pk=shop.pk).update(
        identity_verified_at=timezone.now(),
        identity_verified_until=timezone.now() + timedelta(days=365),
    )

    score, parts = parts_of(shop)

    assert score is None
    assert parts["verification"]["identity"] is True
    assert parts["verification"]["points"] == 10
    assert parts["volume"]["orders"] == 0 and parts["volume"]["points"] == 0
    assert parts["age"]["days"] == 0


def test_the_score_starts_at_the_fifth_paid_order():
    shop, variant = stall()
    orders(variant, LIMITS["min_orders"] - 1)
    assert parts_of(shop)[0] is None

    orders(variant, 1)

    score, _parts = parts_of(shop)
    assert isinstance(score, int) and 0 <= score <= 100


def test_cancelled_unpaid_and_refunded_orders_are_not_paid_orders():
    shop, variant = stall()
    orders(variant, 4)
    orders(variant, 3, status=Status.CANCELLED)
    orders(variant, 3, status=Status.AWAITING_PAYMENT)
    orders(variant, 3, status=Status.REFUNDED)

    score, parts = parts_of(shop)

    assert score is None
    assert parts["volume"]["orders"] == 4


def test_verification_counts_only_badges_valid_now():
    now = timezone.now()
    shop, _v = stall()
    Shop.objects.filter(pk=shop.pk).update(
        identity_verified_at=now - timedelta(days=400),
        identity_verified_until=now - timedelta(days=35),  # expired
        business_verified_at=now,
        business_verified_until=now + timedelta(days=365),
    )

    part = parts_of(shop)[1]["verification"]

    assert part["identity"] is False and part["business"] is True
    assert part["points"] == 5


def test_rating_is_the_smoothed_mean_of_counted_reviews():
    shop, variant = stall()
    made = orders(variant, 10)
    for order in made:
        review(order, rating=5)

    part = parts_of(shop)[1]["rating"]

    # (3.5 * 10 + 50) / 20 = 4.25, so (4.25 - 1) / 4 of 20 points
    assert part["reviews"] == 10 and part["average"] == 5.0 and part["smoothed"] == 4.25
    assert part["points"] == round(20 * 3.25 / 4, 1)


def test_one_five_star_review_does_not_beat_a_hundred_good_ones():
    lucky, v1 = stall()
    review(orders(v1, 5)[0], rating=5)
    steady, v2 = stall()
    for i, order in enumerate(orders(v2, 100)):
        review(order, rating=5 if i % 5 else 4)  # 4.8 on average

    assert parts_of(steady)[1]["rating"]["points"] > parts_of(lucky)[1]["rating"]["points"]


def test_hidden_reviews_count_for_nothing():
    shop, variant = stall()
    made = orders(variant, 5)
    review(made[0], rating=1, status=Review.Status.HIDDEN)

    assert parts_of(shop)[1]["rating"]["reviews"] == 0


def test_provenance_is_the_share_of_published_goods_with_a_complete_card():
    shop, _variant = stall(complete=True)
    from tests.catalog.factories import ProductFactory, PublishedProductFactory

    PublishedProductFactory(shop=shop)  # published, no card
    ProductFactory(shop=shop)  # a draft does not count

    part = parts_of(shop)[1]["provenance"]

    assert (part["complete"], part["published"], part["percent"]) == (1, 2, 50)
    assert part["points"] == 5


def test_disputes_cost_points_and_lost_ones_cost_more():
    clean, v0 = stall()
    orders(v0, 20)
    complained, v1 = stall()
    made = orders(v1, 20)
    dispute(made[0], status=Dispute.Status.RESOLVED, outcome=Dispute.Outcome.REJECTED)
    lost, v2 = stall()
    made = orders(v2, 20)
    dispute(made[0], status=Dispute.Status.RESOLVED, outcome=Dispute.Outcome.REFUND_FULL)

    points = [parts_of(shop)[1]["disputes"]["points"] for shop in (clean, complained, lost)]

    assert points[0] == WEIGHTS["disputes"]
    assert points[0] > points[1] > points[2]
    facts = parts_of(lost)[1]["disputes"]
    assert (facts["disputes"], facts["resolved"], facts["lost"]) == (1, 1, 1)


def test_withdrawn_and_old_disputes_do_not_count():
    shop, variant = stall()
    made = orders(variant, 10)
    dispute(made[0], status=Dispute.Status.WITHDRAWN)
    dispute(made[1], opened_days_ago=LIMITS["window_days"] + 1)

    part = parts_of(shop)[1]["disputes"]

    assert part["disputes"] == 0 and part["points"] == WEIGHTS["disputes"]


def test_a_dispute_on_every_order_leaves_no_dispute_points():
    shop, variant = stall()
    for order in orders(variant, 6):
        dispute(order)

    score, parts = parts_of(shop)

    assert parts["disputes"]["points"] == 0
    assert parts["disputes"]["open"] == 6
    assert score is not None


def test_returns_decided_in_time_keep_the_points_late_ones_lose_them():
    shop, variant = stall()
    made = orders(variant, 10)
    return_request(made[0], decided_after_hours=5, requested_days_ago=3)
    return_request(
        made[1],
        decided_after_hours=24 * 5,
        status=ReturnRequest.Status.REFUSED,
        requested_days_ago=10,
    )
    return_request(made[2], requested_days_ago=LIMITS["return_decide_days"] + 1)  # overdue
    return_request(made[3])  # asked an hour ago: not due yet

    part = parts_of(shop)[1]["returns"]

    assert (part["returns"], part["on_time"]) == (3, 1)
    assert part["points"] == round(WEIGHTS["returns"] / 3, 1)


def test_no_returns_asked_keeps_the_return_points():
    shop, variant = stall()
    orders(variant, 5)

    part = parts_of(shop)[1]["returns"]

    assert part["returns"] == 0 and part["points"] == WEIGHTS["returns"]


@pytest.mark.parametrize(
    ("hours", "days", "share"), [(12, 0.5, 1.0), (24, 1.0, 1.0), (72, 3.0, 0.5), (24 * 6, 6, 0)]
)
def test_shipping_speed_is_the_average_from_payment_to_shipping(hours, days, share):
    shop, variant = stall()
    orders(variant, 5, ship_hours=hours)

    part = parts_of(shop)[1]["shipping"]

    assert part["average_days"] == days and part["shipped"] == 5
    assert part["points"] == round(WEIGHTS["shipping"] * share, 1)


def test_a_stall_that_shipped_nothing_gets_no_shipping_points():
    shop, variant = stall()
    orders(variant, 5, status=Status.PAID)

    part = parts_of(shop)[1]["shipping"]

    assert part["average_days"] is None and part["points"] == 0


def test_repeat_customers_are_buyers_with_two_or_more_paid_orders():
    shop, variant = stall()
    loyal = UserFactory()
    orders(variant, 3, buyer=loyal)
    orders(variant, 3)  # three one-off buyers
    once_refunded = UserFactory()
    orders(variant, 1, buyer=once_refunded)
    orders(variant, 1, buyer=once_refunded, status=Status.REFUNDED)

    part = parts_of(shop)[1]["repeat"]

    assert (part["buyers"], part["repeat_buyers"], part["percent"]) == (5, 1, 20)
    assert part["points"] == round(WEIGHTS["repeat"] * 0.2 / 0.3, 1)


def test_age_grows_to_full_points_in_a_year():
    shop, _v = stall()
    Shop.objects.filter(pk=shop.pk).update(created_at=timezone.now() - timedelta(days=400))

    part = parts_of(shop)[1]["age"]

    assert part["days"] == 400 and part["points"] == WEIGHTS["age"]


def test_volume_grows_with_paid_orders():
    few, v1 = stall()
    orders(v1, 5)
    many, v2 = stall()
    orders(v2, 40)

    assert 0 < parts_of(few)[1]["volume"]["points"] < parts_of(many)[1]["volume"]["points"]


# --- no hidden levers ----------------------------------------------------------------------------


def test_reviews_by_the_stalls_own_people_do_not_count():
    # given a staff member who bought from the stall and reviewed it
    shop, variant = stall()
    staff = UserFactory()
    ShopMember.objects.create(shop=shop, user=staff, role=ShopMember.Role.STAFF)
    own = orders(variant, 1, buyer=staff)[0]
    review(own, rating=5)
    orders(variant, 5)

    _score, parts = parts_of(shop)

    assert parts["rating"]["reviews"] == 0
    # …and their order does not count as a sale or a returning buyer either
    assert parts["volume"]["orders"] == 5 and parts["repeat"]["buyers"] == 5


def test_a_review_whose_author_did_not_buy_does_not_count():
    shop, variant = stall()
    made = orders(variant, 5)
    review(made[0], rating=5, author=UserFactory())

    assert parts_of(shop)[1]["rating"]["reviews"] == 0


@pytest.mark.parametrize("status", [Status.REFUNDED, Status.CANCELLED, Status.PAID])
def test_a_review_on_an_order_not_received_or_refunded_does_not_count(status):
    shop, variant = stall()
    orders(variant, 5)
    order = orders(variant, 1, status=Status.COMPLETED)[0]
    review(order, rating=5)
    Order.objects.filter(pk=order.pk).update(status=status)

    assert parts_of(shop)[1]["rating"]["reviews"] == 0


def test_nothing_a_seller_toggles_on_the_stall_changes_the_score():
    # given a scored stall
    shop, variant = stall()
    orders(variant, 8)
    before = parts_of(shop)

    # when the seller edits everything they can edit (profile, fees, payment text, holiday)
    Shop.objects.filter(pk=shop.pk).update(
        name="Best trusted stall",
        tagline="Five stars guaranteed",
        description="Trust us",
        shipping_fee=0,
        free_shipping_over=0,
        payment_instructions="Pay me",
        return_policy="Refund anything",
        status=Shop.Status.PAUSED,
        followers_count=10_000,
    )

    assert parts_of(shop) == before


def test_recompute_stores_the_score_and_parts_and_updates_in_place():
    shop, variant = stall()
    orders(variant, 6)

    first = trust_recompute(shop_id=shop.pk)
    orders(variant, 10)
    second = trust_recompute(shop_id=shop.pk)

    assert TrustScore.objects.filter(shop=shop).count() == 1
    assert first.pk == second.pk
    assert second.parts[-1]["orders"] == 16
    assert 0 <= second.score <= 100


def test_recompute_of_a_missing_stall_does_nothing():
    assert trust_recompute(shop_id=987654) is None
    assert not TrustScore.objects.exists()


def test_admins_read_the_score_and_its_parts_but_cannot_change_them(client, admin_user):
    shop, variant = stall(name="Tea stall")
    orders(variant, 6)
    trust = trust_recompute(shop_id=shop.pk)
    client.force_login(admin_user)
    url = f"/admin/reviews/trustscore/{trust.pk}/change/"

    listing = client.get("/admin/reviews/trustscore/")
    page = client.get(url)
    post = client.post(url, {"score": "100"})

    assert listing.status_code == 200 and "Tea stall" in listing.text
    assert page.status_code == 200 and "shipping: " in page.text and "volume: " in page.text
    assert post.status_code == 403
    trust.refresh_from_db()
    assert trust.score != 100
