"""A stall with a history, built straight in the database, for the trust score's tests."""

from datetime import timedelta

from django.utils import timezone

from orders.models import Dispute, Order, ReturnRequest, Status
from reviews.models import Review
from tests.catalog.factories import ProvenanceFactory, PublishedProductFactory, VariantFactory
from tests.factories import ShopFactory, UserFactory
from tests.orders.factories import make_order


def stall(*, owner=None, complete=True, **fields):
    """An open stall with one published product (provenance complete unless told) and its
    variant, returned as (shop, variant)."""
    shop = ShopFactory(owner=owner or UserFactory(), **fields)
    product = PublishedProductFactory(shop=shop)
    if complete:
        ProvenanceFactory(product=product)
    return shop, VariantFactory(product=product)


def orders(variant, count, *, status=Status.COMPLETED, buyer=None, ship_hours=24, at=None):
    """``count`` orders of ``variant`` (a new buyer each unless given), shipped ``ship_hours``
    after payment."""
    made = []
    for _ in range(count):
        order = make_order(variants=[variant], status=status, buyer=buyer, at=at)
        if order.shipped_at:
            Order.objects.filter(pk=order.pk).update(
                shipped_at=order.paid_at + timedelta(hours=ship_hours)
            )
        made.append(order)
    return made


def review(order, *, rating=5, author=None, status=Review.Status.VISIBLE):
    line = order.lines.get()
    return Review.objects.create(
        order_line=line,
        product_id=line.product_id,
        shop_id=order.shop_id,
        author=author or order.buyer,
        rating=rating,
        text="Good tea.",
        status=status,
    )


def dispute(order, *, status=Dispute.Status.OPEN, outcome="", opened_days_ago=0):
    made = Dispute.objects.create(
        order=order,
        shop_id=order.shop_id,
        kind=Dispute.Kind.NOT_AS_DESCRIBED,
        statement="Not what the photos showed.",
        status=status,
        outcome=outcome,
        answer_by=timezone.now() + timedelta(days=3),
    )
    if opened_days_ago:
        Dispute.objects.filter(pk=made.pk).update(
            opened_at=timezone.now() - timedelta(days=opened_days_ago)
        )
    return made


def return_request(order, *, decided_after_hours=None, status=None, requested_days_ago=0):
    requested = timezone.now() - timedelta(days=requested_days_ago)
    ret = ReturnRequest.objects.create(
        order=order,
        amount=order.subtotal,
        status=status
        or (
            ReturnRequest.Status.REQUESTED
            if decided_after_hours is None
            else ReturnRequest.Status.ACCEPTED
        ),
    )
    decided = requested + timedelta(hours=decided_after_hours) if decided_after_hours else None
    ReturnRequest.objects.filter(pk=ret.pk).update(requested_at=requested, decided_at=decided)
    return ret
