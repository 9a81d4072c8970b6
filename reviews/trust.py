"""The trust score: 0 to 100 from named parts, each with the facts a shopper reads.

``WEIGHTS`` is the one place the parts' weights live (``docs/trust.md`` explains each part);
``LIMITS`` holds the few numbers that turn a fact into a share of a part's weight.

Everything is computed from the tables with a handful of grouped queries (``GROUP BY shop``),
so all stalls together cost the same few queries as one stall: ``trust_compute(shop_ids)``
returns the parts of many stalls, ``trust_recompute`` writes one stall's ``TrustScore`` and
``trust_recompute_all`` all of them in batches (beat, nightly). ``trust_changed`` is the one call
other code makes when something that feeds the score happened; it debounces.

No hidden levers: only what buyers did (paid orders, complaints, returns, reviews on orders
they received) and what microstore checked (verification, provenance cards) counts. Orders a
stall's own people placed, and reviews whose author is one of them or is not the buyer of a
received order, count for nothing. Nothing a seller pays for or toggles is read here.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from catalog.models import Product
from catalog.models import Status as ProductStatus
from microstore.queue import enqueue_on_commit
from orders.models import Dispute, Order, ReturnRequest
from orders.models.order import PAID_STATUSES
from reviews.models import Review, TrustScore
from reviews.models.review import REVIEWABLE_STATUSES
from reviews.scoring import bayesian_mean
from shops.models import Shop, ShopMember

# The parts and their weights: the most points each part can give. They add up to 100.
WEIGHTS = {
    "verification": 15,  # identity (10) and business (5) checks valid now
    "rating": 20,  # smoothed mean of the stall's counted reviews
    "provenance": 10,  # share of published goods with a complete provenance card
    "disputes": 15,  # complaints and complaints lost in the last 90 days
    "returns": 10,  # share of returns decided (accepted or refused) in time
    "shipping": 10,  # average time from payment to shipping
    "repeat": 10,  # share of buyers who came back for a second order
    "age": 5,  # how long the stall has been on the square
    "volume": 5,  # how many paid orders (confidence)
}

LIMITS = {
    "min_orders": 5,  # fewer paid orders: no score, "new stall: not enough orders yet"
    "window_days": 90,  # complaints, returns and shipping look this far back
    "identity_share": 2 / 3,  # of the verification points; business gives the rest
    "dispute_rate_zero": 0.20,  # a complaint on 20 % of the orders leaves no dispute points…
    "lost_rate_zero": 0.10,  # …and complaints lost on 10 % of them none either
    "return_decide_days": 2,  # a return decided within this many days is handled in time
    "ship_days_full": 1.0,  # shipping within a day on average: all shipping points…
    "ship_days_zero": 5.0,  # …five days or more: none
    "repeat_share_full": 0.30,  # 30 % of buyers coming back: all repeat points
    "age_days_full": 365,  # a year on the square: all age points
    "volume_orders_full": 200,  # 200 paid orders: all volume points (log scale from 1)
}

DEBOUNCE_SECONDS = 60
BATCH_SIZE = 500


@dataclass
class Facts:
    """What the queries found about one stall (zeros for a stall with no history)."""

    identity: bool = False
    business: bool = False
    age_days: int = 0
    reviews: int = 0
    rating_total: int = 0
    published: int = 0
    complete: int = 0
    orders: int = 0  # paid orders, ever (the stall's own people's excluded)
    recent_orders: int = 0  # …paid in the window
    shipped: int = 0  # orders shipped in the window
    ship_seconds: float | None = None  # their average payment → shipping time
    buyers: int = 0
    repeat_buyers: int = 0
    disputes: int = 0  # complaints opened in the window, withdrawn ones excluded
    disputes_open: int = 0
    disputes_resolved: int = 0
    disputes_lost: int = 0
    withdrawn: int = 0
    returns: int = 0  # returns in the window that were due for a decision
    returns_on_time: int = 0


# --- the queries: a handful per batch of stalls, whatever its size -------------------------------


def _not_by_members(buyer_field: str, shop_field: str):
    """Rows not made by one of the stall's own people (owner or staff)."""
    return ~Exists(
        ShopMember.objects.filter(shop_id=OuterRef(shop_field), user_id=OuterRef(buyer_field))
    )


def counted_orders():
    """Paid orders that count: paid and not refunded or cancelled, not placed by the stall's
    own people."""
    return Order.objects.filter(status__in=PAID_STATUSES).filter(
        _not_by_members("buyer_id", "shop_id")
    )


def counted_reviews():
    """Reviews that count: shown, written by the buyer of a received (or completed) order, who
    is not one of the stall's own people."""
    return Review.objects.filter(
        status=Review.Status.VISIBLE,
        order_line__order__status__in=REVIEWABLE_STATUSES,
        order_line__order__buyer_id=F("author_id"),
        order_line__order__shop_id=F("shop_id"),
    ).filter(_not_by_members("author_id", "shop_id"))


def _repeat_buyers(shop_ids: list[int]) -> dict[int, tuple[int, int]]:
    """shop id → (distinct buyers, buyers with two or more paid orders): one query, grouped
    twice (per buyer, then per stall) inside the database."""
    inner = (
        counted_orders()
        .filter(shop_id__in=shop_ids)
        .values("shop_id", "buyer_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sql, params = inner.query.sql_with_params()  # built by the ORM, values as parameters
    select = "SELECT per_buyer.shop_id, COUNT(*), SUM(CASE WHEN per_buyer.n >= 2 THEN 1 END)"
    outer = f"{select} FROM ({sql}) per_buyer GROUP BY per_buyer.shop_id"
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        return {shop_id: (buyers, repeat or 0) for shop_id, buyers, repeat in cursor.fetchall()}


def trust_facts(shop_ids: list[int], *, now=None) -> dict[int, Facts]:
    """The facts behind the score of each stall in ``shop_ids``: seven grouped queries."""
    now = now or timezone.now()
    since = now - timedelta(days=LIMITS["window_days"])
    facts: dict[int, Facts] = {}
    for shop in Shop.objects.filter(pk__in=shop_ids).only(
        "pk",
        "created_at",
        "identity_verified_at",
        "identity_verified_until",
        "business_verified_at",
        "business_verified_until",
    ):
        facts[shop.pk] = Facts(
            identity=shop.identity_badge(now) is not None,
            business=shop.business_badge(now) is not None,
            age_days=max(0, (now - shop.created_at).days),
        )
    ids = list(facts)
    if not ids:
        return facts

    for row in (
        counted_reviews()
        .filter(shop_id__in=ids)
        .values("shop_id")
        .annotate(n=Count("pk"), total=Sum("rating"))
        .order_by()
    ):
        f = facts[row["shop_id"]]
        f.reviews, f.rating_total = row["n"], row["total"] or 0

    for row in (
        Product.objects.filter(shop_id__in=ids, status=ProductStatus.PUBLISHED)
        .values("shop_id")
        .annotate(n=Count("pk"), complete=Count("pk", filter=Q(provenance_complete=True)))
        .order_by()
    ):
        f = facts[row["shop_id"]]
        f.published, f.complete = row["n"], row["complete"]

    shipped_recently = Q(shipped_at__gte=since, paid_at__isnull=False)
    for row in (
        counted_orders()
        .filter(shop_id__in=ids)
        .values("shop_id")
        .annotate(
            n=Count("pk"),
            recent=Count("pk", filter=Q(paid_at__gte=since)),
            shipped=Count("pk", filter=shipped_recently),
            ship_time=Avg(F("shipped_at") - F("paid_at"), filter=shipped_recently),
        )
        .order_by()
    ):
        f = facts[row["shop_id"]]
        f.orders, f.recent_orders, f.shipped = row["n"], row["recent"], row["shipped"]
        ship_time = row["ship_time"]
        if ship_time is not None:
            f.ship_seconds = (
                ship_time.total_seconds()
                if isinstance(ship_time, timedelta)
                else float(ship_time) / 1_000_000  # SQLite averages durations in microseconds
            )

    for shop_id, (buyers, repeat) in _repeat_buyers(ids).items():
        facts[shop_id].buyers, facts[shop_id].repeat_buyers = buyers, repeat

    lost = Q(
        status=Dispute.Status.RESOLVED,
        outcome__in=[Dispute.Outcome.REFUND_FULL, Dispute.Outcome.REFUND_PART],
    )
    for row in (
        Dispute.objects.filter(shop_id__in=ids, opened_at__gte=since)
        .values("shop_id")
        .annotate(
            total=Count("pk"),
            withdrawn=Count("pk", filter=Q(status=Dispute.Status.WITHDRAWN)),
            open=Count("pk", filter=Q(status__in=Dispute.ACTIVE)),
            resolved=Count("pk", filter=Q(status=Dispute.Status.RESOLVED)),
            lost=Count("pk", filter=lost),
        )
        .order_by()
    ):
        f = facts[row["shop_id"]]
        f.disputes = row["total"] - row["withdrawn"]
        f.withdrawn, f.disputes_open = row["withdrawn"], row["open"]
        f.disputes_resolved, f.disputes_lost = row["resolved"], row["lost"]

    limit = timedelta(days=LIMITS["return_decide_days"])
    decided = Q(decided_at__isnull=False)
    overdue = Q(status=ReturnRequest.Status.REQUESTED, requested_at__lt=now - limit)
    for row in (
        ReturnRequest.objects.filter(order__shop_id__in=ids, requested_at__gte=since)
        .filter(decided | overdue)
        .values("order__shop_id")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=decided & Q(decided_at__lte=F("requested_at") + limit)),
        )
        .order_by()
    ):
        f = facts[row["order__shop_id"]]
        f.returns, f.returns_on_time = row["n"], row["on_time"]
    return facts


# --- from facts to points ------------------------------------------------------------------------


def _share(value: float) -> float:
    return min(1.0, max(0.0, value))


def _part(key: str, share: float, **facts) -> dict:
    weight = WEIGHTS[key]
    return {"key": key, "points": round(weight * _share(share), 1), "max": weight, **facts}


def trust_parts(f: Facts) -> list[dict]:
    """Each part: its key, points, most points and the numbers the trust card words (numbers,
    not sentences, so the card speaks the shopper's language)."""
    split = LIMITS["identity_share"]
    smoothed = bayesian_mean(total=f.rating_total, count=f.reviews)
    average = round(f.rating_total / f.reviews, 1) if f.reviews else None
    counted = max(f.recent_orders, f.disputes, 1)
    dispute_rate, lost_rate = f.disputes / counted, f.disputes_lost / counted
    ship_days = round(f.ship_seconds / 86400, 1) if f.ship_seconds is not None else None
    full, zero = LIMITS["ship_days_full"], LIMITS["ship_days_zero"]
    repeat_share = f.repeat_buyers / f.buyers if f.buyers else 0.0
    volume = math.log10(f.orders) / math.log10(LIMITS["volume_orders_full"]) if f.orders else 0
    return [
        _part(
            "verification",
            split * f.identity + (1 - split) * f.business,
            identity=f.identity,
            business=f.business,
        ),
        _part(
            "rating",
            (float(smoothed) - 1) / 4,
            reviews=f.reviews,
            average=average,
            smoothed=float(smoothed),
        ),
        _part(
            "provenance",
            f.complete / f.published if f.published else 0.0,
            published=f.published,
            complete=f.complete,
            percent=round(100 * f.complete / f.published) if f.published else 0,
        ),
        _part(
            "disputes",
            1 - dispute_rate / LIMITS["dispute_rate_zero"] - lost_rate / LIMITS["lost_rate_zero"],
            days=LIMITS["window_days"],
            disputes=f.disputes,
            open=f.disputes_open,
            resolved=f.disputes_resolved,
            lost=f.disputes_lost,
            orders=f.recent_orders,
        ),
        _part(
            "returns",
            f.returns_on_time / f.returns if f.returns else 1.0,
            days=LIMITS["window_days"],
            returns=f.returns,
            on_time=f.returns_on_time,
            within_days=LIMITS["return_decide_days"],
        ),
        _part(
            "shipping",
            (zero - ship_days) / (zero - full) if ship_days is not None else 0.0,
            days=LIMITS["window_days"],
            shipped=f.shipped,
            average_days=ship_days,
        ),
        _part(
            "repeat",
            repeat_share / LIMITS["repeat_share_full"],
            buyers=f.buyers,
            repeat_buyers=f.repeat_buyers,
            percent=round(100 * repeat_share),
        ),
        _part(
            "age",
            f.age_days / LIMITS["age_days_full"],
            days=f.age_days,
            months=f.age_days // 30,
        ),
        _part("volume", volume, orders=f.orders),
    ]


def trust_score(f: Facts, parts: list[dict]) -> int | None:
    """0 to 100, or None while the stall has fewer than ``min_orders`` paid orders."""
    if f.orders < LIMITS["min_orders"]:
        return None
    return max(0, min(100, round(sum(part["points"] for part in parts))))


def trust_compute(shop_ids: list[int], *, now=None) -> dict[int, tuple[int | None, list[dict]]]:
    """shop id → (score, parts) for each stall in ``shop_ids``."""
    result = {}
    for shop_id, f in trust_facts(shop_ids, now=now).items():
        parts = trust_parts(f)
        result[shop_id] = (trust_score(f, parts), parts)
    return result


# --- writing the scores --------------------------------------------------------------------------


def _debounce_key(shop_id: int) -> str:
    return f"reviews:trust-pending:{shop_id}"


@transaction.atomic
def trust_recompute(*, shop_id: int) -> TrustScore | None:
    """Recompute one stall's score and store it. None if the stall does not exist."""
    cache.delete(_debounce_key(shop_id))  # changes from now on schedule a fresh run
    computed = trust_compute([shop_id])
    if shop_id not in computed:
        return None
    score, parts = computed[shop_id]
    trust, _created = TrustScore.objects.update_or_create(
        shop_id=shop_id, defaults={"score": score, "parts": parts}
    )
    return trust


def trust_recompute_all(*, batch_size: int = BATCH_SIZE, now=None) -> int:
    """Recompute every stall, ``batch_size`` stalls per handful of queries and one upsert.
    Returns how many stalls were scored."""
    now = now or timezone.now()
    ids = list(Shop.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        rows = [
            TrustScore(shop_id=shop_id, score=score, parts=parts, computed_at=now)
            for shop_id, (score, parts) in trust_compute(batch, now=now).items()
        ]
        with transaction.atomic():
            TrustScore.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["shop"],
                update_fields=["score", "parts", "computed_at"],
            )
    return len(ids)


def trust_changed(*, shop_id: int) -> None:
    """Something that feeds ``shop_id``'s trust score changed: recompute it soon (debounced).

    The first change opens a ``DEBOUNCE_SECONDS`` window (a cache key) and, once the
    transaction commits, enqueues one recompute that runs when the window ends; later changes
    in the window only ride along. Without a broker (tests, ``make run``) Celery runs tasks
    eagerly and ignores the countdown: the score is recomputed on commit.
    """
    from reviews.tasks import trust_recompute_shop

    try:
        first = cache.add(_debounce_key(shop_id), 1, DEBOUNCE_SECONDS)
    except Exception:  # the cache is down: recompute rather than lose the change
        first = True
    if not first:
        return
    # The task runs once the window ends.
    enqueue_on_commit(trust_recompute_shop, countdown=DEBOUNCE_SECONDS, shop_id=shop_id)
