"""The weekly digest: new goods and updates from the stalls a user follows, by email.

Opt-in: the notification kind ``square.digest`` (shops/notifications.py) is email only and off
until the user switches it on in their notification settings; every digest carries the
one-click unsubscribe link and ``List-Unsubscribe`` headers of ``notify``. Beat runs
``shops.tasks.send_weekly_digests`` on Monday mornings; ``manage.py send_digests`` sends now.

A digest covers what happened since the user's last digest, never more than ``WINDOW`` back:
goods published, and visible updates posted, by the stalls they follow and have not muted that
are on the square (open or on holiday). Nothing new: no mail. The user's ``DigestState`` row is
locked while the digest is put together, and ``last_sent_at`` moves on in the same transaction
that stores the mail in the outbox, so two runs at once, or a second run the same week, send
nothing more.
"""

import logging
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from catalog.models import Product
from microstore.accounts.access import has_verified_email
from microstore.notifications import notify
from microstore.notifications.kinds import Channel, get_kind
from microstore.notifications.selectors import channel_enabled
from microstore.notifications.services import absolute_url
from microstore.notifications.targets import Link
from shops.models import DigestState, StallUpdate
from shops.updates import followed_not_muted

logger = logging.getLogger(__name__)

KIND = "square.digest"
WINDOW = timedelta(days=7)
# What one mail shows at most; the rest is counted ("and 4 more").
STALLS_MAX = 5
GOODS_PER_STALL = 3
UPDATES_PER_STALL = 3
SNIPPET_CHARS = 140
BATCH = 200


# --- Reads --------------------------------------------------------------------------------------


def digest_recipients() -> QuerySet:
    """Active users who switched the digest on, by primary key."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            notification_preferences__kind=KIND,
            notification_preferences__channel=Channel.EMAIL,
            notification_preferences__enabled=True,
        )
        .order_by("pk")
    )


def digest_wanted(*, user) -> bool:
    """Whether ``user`` gets the digest: opted in, active, with a confirmed address."""
    return (
        user.is_active
        and channel_enabled(user=user, kind=get_kind(KIND), channel=Channel.EMAIL)
        and has_verified_email(user)
    )


def _newest_per_shop(qs: QuerySet, *, date_field: str, per_shop: int) -> QuerySet:
    """The ``per_shop`` newest rows of each stall, each with ``shop_total``: how many the stall
    has in ``qs`` in all. One query however many stalls there are."""
    return (
        qs.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("shop_id")],
                order_by=[F(date_field).desc(), F("pk").desc()],
            ),
            shop_total=Window(Count("pk"), partition_by=[F("shop_id")]),
        )
        .filter(rank__lte=per_shop)
        .order_by("shop_id", "rank")
    )


def digest_goods(*, user, since, until) -> list[Product]:
    """Goods published in (``since``, ``until``] by stalls ``user`` follows and has not muted:
    the newest ``GOODS_PER_STALL`` per stall, each with ``shop_total``."""
    qs = followed_not_muted(
        Product.objects.published().filter(published_at__gt=since, published_at__lte=until),
        user=user,
    )
    qs = qs.select_related("shop").only(
        "title",
        "slug",
        "price_min",
        "variant_count",
        "published_at",
        "shop__name",
        "shop__slug",
        "shop__status",
    )
    return list(_newest_per_shop(qs, date_field="published_at", per_shop=GOODS_PER_STALL))


def digest_updates(*, user, since, until) -> list[StallUpdate]:
    """Visible updates posted in (``since``, ``until``] by stalls ``user`` follows and has not
    muted: the newest ``UPDATES_PER_STALL`` per stall, each with ``shop_total``."""
    qs = followed_not_muted(
        StallUpdate.objects.filter(
            status=StallUpdate.Status.VISIBLE, created_at__gt=since, created_at__lte=until
        ),
        user=user,
    )
    qs = qs.select_related("shop").only(
        "public_id", "text", "created_at", "shop__name", "shop__slug", "shop__status"
    )
    return list(_newest_per_shop(qs, date_field="created_at", per_shop=UPDATES_PER_STALL))


def digest_context(*, goods: list[Product], updates: list[StallUpdate]) -> dict:
    """The mail's context (JSON-safe: it is what ``notify`` stores): up to ``STALLS_MAX``
    stalls, the most recently active first, each with its newest goods and updates, absolute
    links, and counts of what did not fit."""
    stalls: dict[int, dict] = {}
    latest: dict[int, datetime] = {}

    def stall_for(shop) -> dict:
        if shop.pk not in stalls:
            stalls[shop.pk] = {
                "name": shop.name,
                "url": absolute_url(shop.get_absolute_url()),
                "goods": [],
                "more_goods": 0,
                "updates": [],
                "more_updates": 0,
                "updates_url": "",
            }
        return stalls[shop.pk]

    goods_count = updates_count = 0
    for product in goods:
        stall = stall_for(product.shop)
        if product.rank == 1:  # the stall's newest: its counts, and how recent its news is
            stall["more_goods"] = max(product.shop_total - GOODS_PER_STALL, 0)
            goods_count += product.shop_total
            latest[product.shop_id] = product.published_at
        stall["goods"].append(
            {
                "title": product.title,
                "price": "" if product.price_min is None else str(product.price_min),
                "price_from": product.variant_count > 1,
                "url": absolute_url(product.get_absolute_url()),
            }
        )
    for update in updates:
        stall = stall_for(update.shop)
        if update.rank == 1:
            stall["more_updates"] = max(update.shop_total - UPDATES_PER_STALL, 0)
            stall["updates_url"] = absolute_url(
                reverse("shops:updates", kwargs={"slug": update.shop.slug})
            )
            updates_count += update.shop_total
            latest[update.shop_id] = max(
                latest.get(update.shop_id, update.created_at), update.created_at
            )
        stall["updates"].append(
            {
                "text": Truncator(" ".join(update.text.split())).chars(SNIPPET_CHARS),
                "date": timezone.localdate(update.created_at).isoformat(),
                "url": f"{stall['updates_url']}#update-{update.public_id}",
            }
        )

    order = sorted(stalls, key=lambda pk: (latest[pk], pk), reverse=True)
    return {
        "stalls": [stalls[pk] for pk in order[:STALLS_MAX]],
        "more_stalls": max(len(order) - STALLS_MAX, 0),
        "stall_count": len(order),
        "goods_count": goods_count,
        "updates_count": updates_count,
    }


# --- Writes -------------------------------------------------------------------------------------


@transaction.atomic
def digest_send(*, user, now=None) -> bool:
    """Put ``user``'s weekly digest in the outbox, if they want one and there is news.

    Returns True when a digest was stored (a worker sends it once this commits). Safe to call
    twice at once or twice a week: the user's state row is locked, and the second call finds
    nothing new since ``last_sent_at``.
    """
    now = now or timezone.now()
    if not digest_wanted(user=user):
        return False
    DigestState.objects.get_or_create(user=user)
    state = DigestState.objects.select_for_update().get(user=user)
    since = now - WINDOW
    if state.last_sent_at is not None and state.last_sent_at > since:
        since = state.last_sent_at
    goods = digest_goods(user=user, since=since, until=now)
    updates = digest_updates(user=user, since=since, until=now)
    state.last_checked_at = now
    if not goods and not updates:
        state.save(update_fields=["last_checked_at"])
        return False
    notify(
        recipient=user,
        kind=KIND,
        context=digest_context(goods=goods, updates=updates),
        target=Link("shops:square-mine"),
    )
    state.last_sent_at = now
    state.save(update_fields=["last_sent_at", "last_checked_at"])
    return True


def digest_batches() -> list[tuple[int, int]]:
    """The opted-in users in ``BATCH``-sized ranges of primary keys, (first, last), for one
    task each: several workers share the week's digests, and a lost task loses one batch
    (running it again sends nothing twice)."""
    ranges = []
    last_pk = 0
    while True:
        pks = list(digest_recipients().filter(pk__gt=last_pk).values_list("pk", flat=True)[:BATCH])
        if not pks:
            return ranges
        ranges.append((pks[0], pks[-1]))
        last_pk = pks[-1]


def digest_send_batch(*, first_pk: int, last_pk: int, now=None) -> dict[str, int]:
    """The digests of the opted-in users with primary keys in [first_pk, last_pk], each in its
    own transaction: one user's failure is logged and the others still get theirs."""
    now = now or timezone.now()
    counts = {"checked": 0, "sent": 0, "failed": 0}
    for user in digest_recipients().filter(pk__gte=first_pk, pk__lte=last_pk):
        counts["checked"] += 1
        try:
            sent = digest_send(user=user, now=now)
        except Exception:
            counts["failed"] += 1
            logger.exception("The weekly digest of user %s failed", user.pk)
            continue
        counts["sent"] += int(sent)
    return counts


def digest_send_all(*, now=None) -> dict[str, int]:
    """Every opted-in user's digest, batch after batch in this process (``manage.py
    send_digests``; beat hands the batches to workers instead). Returns the counts."""
    now = now or timezone.now()
    counts = {"checked": 0, "sent": 0, "failed": 0}
    for first_pk, last_pk in digest_batches():
        for key, value in digest_send_batch(first_pk=first_pk, last_pk=last_pk, now=now).items():
            counts[key] += value
    logger.info(
        "Weekly digests: %(checked)s opted-in users, %(sent)s sent, %(failed)s failed", counts
    )
    return counts
