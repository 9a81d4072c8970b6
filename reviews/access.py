"""Ownership look-ups for reviews. A review or order line that is not yours to act on is a 404,
exactly like one that does not exist."""

from django.http import Http404

from orders.models import OrderLine
from reviews.models import Review


def _reviews():
    return Review.objects.select_related("product", "product__shop", "shop", "order_line")


def get_line_for_buyer(user, number: str, line_id: int) -> OrderLine:
    """Line ``line_id`` of order ``number`` if ``user`` placed that order."""
    if not user.is_authenticated:
        raise Http404
    line = (
        OrderLine.objects.select_related("order", "order__shop", "product")
        .filter(pk=line_id, order__number=number, order__buyer=user)
        .first()
    )
    if line is None:
        raise Http404
    return line


def get_review_for_author(user, public_id) -> Review:
    """A review ``user`` wrote."""
    if not user.is_authenticated:
        raise Http404
    review = _reviews().filter(public_id=public_id, author=user).first()
    if review is None:
        raise Http404
    return review


def get_review_for_seller(user, public_id) -> Review:
    """A review of goods sold by a stall ``user`` is a member of."""
    if not user.is_authenticated:
        raise Http404
    review = _reviews().filter(public_id=public_id, shop__members__user=user).first()
    if review is None:
        raise Http404
    return review


def get_review_for_reader(user, public_id) -> Review:
    """A review anyone logged in may vote on or report: shown (not removed) and on a product
    the square shows."""
    if not user.is_authenticated:
        raise Http404
    review = (
        _reviews()
        .filter(public_id=public_id, status=Review.Status.VISIBLE, product__isnull=False)
        .first()
    )
    if review is None:
        raise Http404
    return review
