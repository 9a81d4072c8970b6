"""Recomputing trust scores: debounced after the events that change them, nightly in full."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from orders.models import Dispute, Status
from orders.services import aftersales, lifecycle
from reviews import tasks
from reviews.models import TrustScore
from reviews.trust import trust_changed, trust_recompute_all
from shops.models import Shop
from tests.reviews.trust_factories import orders, return_request, stall

pytestmark = pytest.mark.django_db


def test_two_changes_in_a_row_enqueue_one_recompute(django_capture_on_commit_callbacks):
    shop, _v = stall()

    with django_capture_on_commit_callbacks() as callbacks:
        trust_changed(shop_id=shop.pk)
        trust_changed(shop_id=shop.pk)

    assert len(callbacks) == 1


def test_changes_of_two_stalls_enqueue_one_recompute_each(django_capture_on_commit_callbacks):
    one, _v = stall()
    two, _v = stall()

    with django_capture_on_commit_callbacks() as callbacks:
        trust_changed(shop_id=one.pk)
        trust_changed(shop_id=two.pk)
        trust_changed(shop_id=one.pk)

    assert len(callbacks) == 2


def test_the_recompute_runs_on_commit_and_reopens_the_window(django_capture_on_commit_callbacks):
    # given a stall with enough orders (tasks run in-process in tests, as in `make run`)
    shop, variant = stall()
    orders(variant, 6)

    with django_capture_on_commit_callbacks(execute=True):
        trust_changed(shop_id=shop.pk)

    trust = TrustScore.objects.get(shop=shop)
    assert trust.score is not None
    # the task cleared the debounce key: the next change schedules a new run
    with django_capture_on_commit_callbacks() as callbacks:
        trust_changed(shop_id=shop.pk)
    assert len(callbacks) == 1


def test_shipping_an_order_recomputes_the_stalls_score(django_capture_on_commit_callbacks):
    shop, variant = stall()
    orders(variant, 5)
    order = orders(variant, 1, status=Status.PAID)[0]
    owner = shop.members.get().user

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lifecycle.order_ship(order=order, actor=owner, carrier="SF", tracking_number="SF1")

    assert callbacks
    trust = TrustScore.objects.get(shop=shop)
    shipping = next(part for part in trust.parts if part["key"] == "shipping")
    assert shipping["shipped"] == 6


def test_opening_a_complaint_recomputes_the_stalls_score(django_capture_on_commit_callbacks):
    shop, variant = stall()
    order = orders(variant, 6)[-1]

    with django_capture_on_commit_callbacks(execute=True):
        aftersales.dispute_open(
            order=order, actor=order.buyer, kind=Dispute.Kind.DAMAGED, statement="Broken."
        )

    disputes = next(p for p in TrustScore.objects.get(shop=shop).parts if p["key"] == "disputes")
    assert disputes["open"] == 1


def test_deciding_a_return_recomputes_the_stalls_score(django_capture_on_commit_callbacks):
    shop, variant = stall()
    order = orders(variant, 6, status=Status.RECEIVED)[-1]
    return_request(order)
    owner = shop.members.get().user

    with django_capture_on_commit_callbacks(execute=True):
        aftersales.return_accept(order=order, actor=owner)

    returns = next(p for p in TrustScore.objects.get(shop=shop).parts if p["key"] == "returns")
    assert (returns["returns"], returns["on_time"]) == (1, 1)


def test_the_nightly_task_recomputes_every_stall_in_batches(django_assert_max_num_queries):
    # given stalls old and new, one with a stale score
    scored = []
    for _ in range(5):
        shop, variant = stall()
        orders(variant, 5)
        scored.append(shop)
    new, _v = stall()
    TrustScore.objects.create(shop=scored[0], score=3, parts=[])

    # when the nightly task runs with batches of 2 stalls (3 batches): the stall ids, then per
    # batch seven grouped reads and one upsert (in a savepoint here: two more)
    with django_assert_max_num_queries(1 + 3 * 10):
        count = trust_recompute_all(batch_size=2)

    assert count == 6
    assert TrustScore.objects.count() == 6
    assert TrustScore.objects.get(shop=new).score is None
    assert all(TrustScore.objects.get(shop=s).score > 3 for s in scored)


def test_the_nightly_task_drops_a_badge_that_expired(settings):
    shop, variant = stall()
    orders(variant, 5)
    Shop.objects.filter(pk=shop.pk).update(
        identity_verified_at=timezone.now() - timedelta(days=365),
        identity_verified_until=timezone.now() + timedelta(days=1),
    )
    tasks.trust_recompute_all.delay()
    before = TrustScore.objects.get(shop=shop).score

    Shop.objects.filter(pk=shop.pk).update(identity_verified_until=timezone.now())
    tasks.trust_recompute_all.delay()

    assert TrustScore.objects.get(shop=shop).score == before - 10


def test_the_nightly_recompute_is_on_the_beat_schedule():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reviews.tasks.trust_recompute_all" in tasks_scheduled


def test_a_verification_decision_recomputes_the_stalls_score(
    django_capture_on_commit_callbacks, admin_user
):
    from shops import services as shop_services
    from tests.shops.conftest import ID_NUMBER

    shop, variant = stall()
    orders(variant, 6)
    seller = shop.members.get().user
    request = shop_services.verification_request(
        shop=shop, actor=seller, kind="identity", real_name="高建国", id_number=ID_NUMBER
    )

    with django_capture_on_commit_callbacks(execute=True):
        shop_services.verification_approve(verification=request, actor=admin_user)

    parts = {part["key"]: part for part in TrustScore.objects.get(shop=shop).parts}
    assert parts["verification"]["points"] > 0
