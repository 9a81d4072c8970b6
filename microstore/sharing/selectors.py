"""Reads for the sharing pages: a sharer's links with their counts, a stall's share figures."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from microstore.money import quantize
from microstore.sharing.models import ShareLink, ShareVisit

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
TOP_SHARERS = 10


def _count(qs: QuerySet, *, link_field: str) -> Coalesce:
    """How many rows of ``qs`` point at the outer link through ``link_field`` (0 for none)."""
    rows = qs.filter(**{link_field: OuterRef("pk")}).order_by().values(link_field)
    return Coalesce(
        Subquery(rows.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
        Value(0),
    )


def links_with_counts(qs: QuerySet) -> QuerySet:
    """``qs`` with ``visit_count`` and ``order_count`` (orders that recorded the sharer)."""
    from orders.models import Order

    return qs.annotate(
        visit_count=_count(ShareVisit.objects.all(), link_field="link"),
        order_count=_count(Order.objects.all(), link_field="share_link"),
    )


def share_links_of(user) -> QuerySet:
    """The sharer's own links, newest first, with what each brought (no buyer identities)."""
    return links_with_counts(
        ShareLink.objects.filter(user=user).select_related("shop", "product", "product__shop")
    )


def share_link_figures(link: ShareLink) -> dict:
    """``{"visit_count": n, "order_count": n}`` of one link, in one query."""
    return links_with_counts(ShareLink.objects.filter(pk=link.pk)).values(
        "visit_count", "order_count"
    )[0]


def share_link_by_code(code: str) -> ShareLink | None:
    return (
        ShareLink.objects.select_related("shop", "product", "product__shop")
        .filter(code=code)
        .first()
    )


def period_days(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def shop_share_stats(*, shop, days: int, now=None) -> dict:
    """Orders and revenue at ``shop`` that came through shares in the last ``days`` days, and
    the top sharers by orders. Cancelled orders are not counted; revenue is what was paid
    less refunds."""
    from orders.models import Order, Status
    from orders.models.order import PAID_STATUSES

    since = (now or timezone.now()) - timedelta(days=days)
    orders = Order.objects.filter(
        shop=shop, share_link__isnull=False, referrer__isnull=False, placed_at__gte=since
    ).exclude(status=Status.CANCELLED)
    paid = Q(status__in=PAID_STATUSES)
    revenue = Coalesce(Sum("total", filter=paid), Decimal(0)) - Coalesce(
        Sum("refunded_total", filter=paid), Decimal(0)
    )
    totals = orders.aggregate(orders=Count("pk"), revenue=revenue)
    top = list(
        orders.values("referrer_id", "referrer__display_name")
        .annotate(orders=Count("pk"), revenue=revenue)
        .order_by("-orders", "-revenue", "referrer_id")[:TOP_SHARERS]
    )
    return {
        "days": days,
        "orders": totals["orders"],
        "revenue": quantize(totals["revenue"] or Decimal(0)),
        "top": [
            {
                "name": row["referrer__display_name"],
                "orders": row["orders"],
                "revenue": quantize(row["revenue"] or Decimal(0)),
            }
            for row in top
        ],
    }


POSTER_RELATED = ("shop", "shop__trust", "product", "product__cover", "product__shop")


def share_link_of(user, code: str) -> ShareLink | None:
    """The user's own link with ``code``, with what its poster shows joined; None for anyone
    else's link or an unknown code."""
    return (
        ShareLink.objects.select_related(*POSTER_RELATED, "poster")
        .filter(user=user, code=code)
        .first()
    )


def poster_with_link(poster_id: int):
    from microstore.sharing.models import SharePoster

    related = [f"link__{name}" for name in POSTER_RELATED]
    return SharePoster.objects.select_related(*related).filter(pk=poster_id).first()
