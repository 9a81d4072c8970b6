"""Stall updates and "My square": posting, the daily limit, muting, reports and their reads.

Writes follow the house shape (keyword-only, ``actor``/``user``, atomic, ``DomainError``); the
reads each page needs come with their related rows already joined or prefetched.

The anti-spam limit is a *rolling* 24 hours: a stall that posted three updates at 20:00 can post
again at 20:00 the next day, not at midnight. Counted under a lock on the stall row, so two
posts sent at once cannot both slip under the limit.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from microstore.errors import DomainError
from microstore.images.models import Purpose
from microstore.images.services import image_create
from microstore.moderation import ReportQueue
from microstore.notifications import notify
from shops.models import (
    Follow,
    Mute,
    Shop,
    StallUpdate,
    StallUpdatePhoto,
    UpdateReport,
)
from shops.selectors import VISIBLE, shop_is_member

LIMIT_WINDOW = timedelta(hours=24)


# --- Writes -------------------------------------------------------------------------------------


def updates_left_today(shop: Shop, *, now=None) -> int:
    """How many more updates the stall may post in the rolling 24 hours ending now."""
    now = now or timezone.now()
    posted = StallUpdate.objects.filter(shop=shop, created_at__gt=now - LIMIT_WINDOW).count()
    return max(settings.SHOP_UPDATES_PER_DAY - posted, 0)


@transaction.atomic
def update_post(*, shop: Shop, actor, text: str, photos=()) -> StallUpdate:
    """Post an update for ``shop`` (``actor`` is a member; the view checked that)."""
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    if shop.is_closed:
        raise DomainError(_("A closed stall cannot post updates."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write something for your followers."))
    if len(text) > StallUpdate.TEXT_MAX:
        raise DomainError(
            _("An update can be at most %(max)s characters long.") % {"max": StallUpdate.TEXT_MAX}
        )
    photos = [photo for photo in photos if photo]
    if len(photos) > StallUpdate.PHOTOS_MAX:
        raise DomainError(
            _("An update can have at most %(max)s photos.") % {"max": StallUpdate.PHOTOS_MAX}
        )
    now = timezone.now()
    if updates_left_today(shop, now=now) == 0:
        limit = settings.SHOP_UPDATES_PER_DAY
        raise DomainError(
            ngettext(
                "Your stall has posted %(limit)s update in the last 24 hours, the most allowed. "
                "Followers see fewer, better updates; try again later.",
                "Your stall has posted %(limit)s updates in the last 24 hours, the most allowed. "
                "Followers see fewer, better updates; try again later.",
                limit,
            )
            % {"limit": limit}
        )
    update = StallUpdate.objects.create(shop=shop, author=actor, text=text, created_at=now)
    for position, upload in enumerate(photos):
        image = image_create(upload=upload, purpose=Purpose.UPDATE, owner=actor)
        StallUpdatePhoto.objects.create(update=update, image=image, position=position)
    return update


@transaction.atomic
def update_hide(*, update: StallUpdate, actor, reason: str) -> StallUpdate:
    """Moderators hide an update (with a reason the seller can read); open reports close."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason: the seller reads it."))
    update = StallUpdate.objects.select_for_update().get(pk=update.pk)
    if update.status != StallUpdate.Status.HIDDEN:
        update.status = StallUpdate.Status.HIDDEN
        update.hidden_reason = reason
        update.save(update_fields=["status", "hidden_reason"])
        for member in update.shop.members.select_related("user"):
            notify(
                recipient=member.user,
                kind="shops.update_hidden",
                context={"shop": update.shop.name, "reason": reason},
                target=update,
                actor=actor,
            )
    update.reports.filter(status=UpdateReport.Status.OPEN).update(
        status=UpdateReport.Status.HIDDEN,
        decided_by=actor,
        decision_note=reason,
        decided_at=timezone.now(),
    )
    REPORTS.checked()
    return update


@transaction.atomic
def update_keep(*, update: StallUpdate, actor, note: str = "") -> StallUpdate:
    """Moderators looked and keep the update: its open reports are closed as "kept"."""
    update.reports.filter(status=UpdateReport.Status.OPEN).update(
        status=UpdateReport.Status.KEPT,
        decided_by=actor,
        decision_note=note,
        decided_at=timezone.now(),
    )
    REPORTS.checked()
    return update


# The moderators' queue of open update reports, where "an update was reported" leads.
REPORTS = ReportQueue(UpdateReport, item="update")


def mute(*, user, shop: Shop) -> None:
    """Leave a stall out of "My square" without unfollowing it; muting twice changes nothing."""
    Mute.objects.get_or_create(user=user, shop=shop)


def unmute(*, user, shop: Shop) -> None:
    Mute.objects.filter(user=user, shop=shop).delete()


@transaction.atomic
def update_report(*, update: StallUpdate, reporter, reason: str, note: str = "") -> UpdateReport:
    """Report an update to the moderators; a second report by the same person is refused.
    The update's first open report tells the moderators; later ones join their queue."""
    if shop_is_member(shop=update.shop, user=reporter):
        raise DomainError(_("You cannot report your own stall's update."))
    if reason not in UpdateReport.Reason.values:
        raise DomainError(_("Choose a reason."))
    # Reports of one update queue up here, so exactly one of them is its first open report.
    locked = StallUpdate.objects.select_for_update(of=("self",)).select_related("shop")
    update = locked.get(pk=update.pk)
    try:
        with transaction.atomic():
            report = UpdateReport.objects.create(
                update=update, reporter=reporter, reason=reason, note=(note or "").strip()
            )
    except IntegrityError:
        raise DomainError(
            _("You have reported this update already; the moderators will look at it.")
        ) from None
    REPORTS.filed(
        report,
        context={
            "what": "update",
            "shop_name": update.shop.name,
            "title": "",
            "excerpt": update.text[:200],
            "reason": str(UpdateReport.Reason(reason).label),
        },
        actor=reporter,
    )
    return report


# --- Reads --------------------------------------------------------------------------------------


def _for_display(qs: QuerySet) -> QuerySet:
    photos = StallUpdatePhoto.objects.select_related("image").order_by("position", "pk")
    return qs.select_related("shop", "shop__logo").prefetch_related(
        Prefetch("photos", queryset=photos)
    )


def updates_for_shop(shop: Shop) -> QuerySet:
    """The stall's visible updates, newest first."""
    return _for_display(
        StallUpdate.objects.filter(shop=shop, status=StallUpdate.Status.VISIBLE)
    ).order_by("-created_at", "-pk")


def updates_for_manager(shop: Shop) -> QuerySet:
    """Everything the stall posted, hidden ones too (with the moderators' reason)."""
    return _for_display(StallUpdate.objects.filter(shop=shop)).order_by("-created_at", "-pk")


def followed_not_muted(qs: QuerySet, *, user) -> QuerySet:
    """The rows of ``qs`` (anything with a ``shop``) from stalls on the square that ``user``
    follows and has not muted: "My square" and the weekly digest."""
    followed = Follow.objects.filter(user=user).values("shop_id")
    muted = Mute.objects.filter(user=user).values("shop_id")
    return qs.filter(shop_id__in=followed, shop__status__in=VISIBLE).exclude(shop_id__in=muted)


def feed_for_user(user) -> QuerySet:
    """ "My square": visible updates of open/paused stalls ``user`` follows and has not muted."""
    visible = StallUpdate.objects.filter(status=StallUpdate.Status.VISIBLE)
    return _for_display(followed_not_muted(visible, user=user)).order_by("-created_at", "-pk")


def muted_shops(user) -> QuerySet:
    return Shop.objects.filter(mutes__user=user).order_by("name", "pk")


def update_for_report(public_id) -> StallUpdate | None:
    """A visible update of a stall on the square (what a user may report), or None."""
    return (
        StallUpdate.objects.select_related("shop")
        .filter(
            public_id=public_id,
            status=StallUpdate.Status.VISIBLE,
            shop__status__in=VISIBLE,
        )
        .first()
    )
