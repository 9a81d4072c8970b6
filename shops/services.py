"""Every write to stalls: open, update (rename keeps old links), change status, follow."""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from microstore.errors import DomainError
from microstore.images.models import Purpose
from microstore.images.services import image_create
from microstore.images.validation import sniff
from microstore.moderation import moderation_done, notify_moderators
from microstore.notifications import notify
from microstore.notifications.targets import Link
from reviews.trust import trust_changed
from shops.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Follow,
    Shop,
    ShopEvent,
    ShopMember,
    ShopSlug,
    Status,
    Verification,
)

SLUG_MAX = 60
_NON_SLUG = re.compile(r"[^a-z0-9]+")
RESERVED_SLUGS = {"open"}  # /stalls/open/ is the "open your stall" form

# Fields the owner edits through shop_open / shop_update (not slug, code, status, counts).
PROFILE_FIELDS = (
    "name",
    "tagline",
    "description",
    "region",
    "city",
    "wechat_id",
    "phone",
    "return_policy",
    "shipping_regions",
    "shipping_fee",
    "free_shipping_over",
    "payment_instructions",
)


class InvalidTransition(DomainError):
    def __init__(self, old: str, new: str):
        super().__init__(
            _("A stall that is %(old)s cannot become %(new)s.")
            % {"old": Status(old).label, "new": Status(new).label}
        )


OWNER_ACTIONS = {
    Status.OPEN: ShopEvent.Action.RESUMED,
    Status.PAUSED: ShopEvent.Action.PAUSED,
    Status.CLOSED: ShopEvent.Action.CLOSED,
}


def _log(shop: Shop, action: str, *, actor, note: str = "", **statuses) -> ShopEvent:
    return ShopEvent.objects.create(shop=shop, action=action, actor=actor, note=note, **statuses)


def shop_owners(shop: Shop):
    return [m.user for m in shop.members.select_related("user").filter(role="owner")]


def slug_base(name: str) -> str:
    """Readable ASCII from any name, Chinese through pinyin.

    "老高的茶叶铺" → "lao-gao-de-cha-ye-pu".
    """
    words = lazy_pinyin(name, errors="default")
    text = "-".join(word.strip().lower() for word in words)
    slug = _NON_SLUG.sub("-", text).strip("-")[:SLUG_MAX].strip("-")
    return slug or "stall"


def _slug_taken(slug: str, shop_id: int | None) -> bool:
    shops = Shop.objects.filter(slug=slug)
    old = ShopSlug.objects.filter(slug=slug)
    if shop_id is not None:
        shops = shops.exclude(pk=shop_id)
        old = old.exclude(shop_id=shop_id)
    return slug in RESERVED_SLUGS or shops.exists() or old.exists()


def unique_slug(name: str, *, shop_id: int | None = None) -> str:
    """A slug nobody else has or had; duplicates get "-2", "-3"…"""
    base = slug_base(name)
    slug, n = base, 1
    while _slug_taken(slug, shop_id):
        n += 1
        slug = f"{base[: SLUG_MAX - len(str(n)) - 1]}-{n}"
    return slug


def new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Shop.objects.filter(code=code).exists():
            return code


def _attach_images(shop: Shop, *, logo, banner, actor) -> list[str]:
    changed = []
    if logo:
        shop.logo = image_create(upload=logo, purpose=Purpose.SHOP_LOGO, owner=actor)
        changed.append("logo")
    if banner:
        shop.banner = image_create(upload=banner, purpose=Purpose.SHOP_BANNER, owner=actor)
        changed.append("banner")
    return changed


@transaction.atomic
def shop_open(*, actor, logo=None, banner=None, **profile) -> Shop:
    """Open a stall owned by ``actor``. One stall per user (also a database constraint)."""
    if ShopMember.objects.filter(user=actor, role=ShopMember.Role.OWNER).exists():
        raise DomainError(_("You already have a stall; one stall per person for now."))
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown stall fields: {sorted(unknown)}")
    shop = Shop(**profile)
    shop.slug = unique_slug(shop.name)
    shop.code = new_code()
    shop.full_clean(exclude=["logo", "banner"])
    _attach_images(shop, logo=logo, banner=banner, actor=actor)
    shop.save()
    try:
        with transaction.atomic():
            ShopMember.objects.create(shop=shop, user=actor, role=ShopMember.Role.OWNER)
    except IntegrityError as exc:  # a double submit racing the check above
        raise DomainError(_("You already have a stall; one stall per person for now.")) from exc
    _log(shop, ShopEvent.Action.OPENED, actor=actor, new_status=shop.status)
    return shop


@transaction.atomic
def shop_update(*, shop: Shop, actor, logo=None, banner=None, **profile) -> Shop:
    """Change the profile. A new name gets a new slug; the old one keeps redirecting."""
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown stall fields: {sorted(unknown)}")
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    old_slug = shop.slug
    for field, value in profile.items():
        setattr(shop, field, value)
    if slug_base(shop.name) != slug_base_of(old_slug):
        shop.slug = unique_slug(shop.name, shop_id=shop.pk)
    shop.full_clean(exclude=["logo", "banner"])
    changed = _attach_images(shop, logo=logo, banner=banner, actor=actor)
    if shop.slug != old_slug:
        # The new slug may be one this stall used before: it is current again, not "old".
        ShopSlug.objects.filter(shop=shop, slug=shop.slug).delete()
        ShopSlug.objects.get_or_create(shop=shop, slug=old_slug)
    shop.save(update_fields=[*profile, "slug", *changed, "updated_at"])
    return shop


def slug_base_of(slug: str) -> str:
    """The slug without a de-duplicating "-<n>" suffix."""
    return re.sub(r"-\d+$", "", slug)


@transaction.atomic
def shop_transition(*, shop: Shop, to: Status, actor) -> Shop:
    """Pause, resume or close. Locks the row; the same state again is harmless."""
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    if shop.status == to:
        return shop
    if not shop.can_transition_to(to):
        raise InvalidTransition(shop.status, to)
    old = shop.status
    shop.status = to
    shop.save(update_fields=["status", "updated_at"])
    _log(shop, OWNER_ACTIONS[to], actor=actor, old_status=old, new_status=to)
    return shop


@transaction.atomic
def follow(*, user, shop: Shop) -> Shop:
    """Follow a stall; following twice changes nothing. Returns the stall with a fresh count."""
    if shop.is_closed:
        raise DomainError(_("This stall has closed and cannot be followed."))
    _follow, created = Follow.objects.get_or_create(user=user, shop=shop)
    if created:
        Shop.objects.filter(pk=shop.pk).update(followers_count=F("followers_count") + 1)
    shop.refresh_from_db(fields=["followers_count"])
    return shop


@transaction.atomic
def unfollow(*, user, shop: Shop) -> Shop:
    deleted, _by_model = Follow.objects.filter(user=user, shop=shop).delete()
    if deleted:
        Shop.objects.filter(pk=shop.pk, followers_count__gt=0).update(
            followers_count=F("followers_count") - 1
        )
    shop.refresh_from_db(fields=["followers_count"])
    return shop


# --- Moderation -------------------------------------------------------------------------------


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason: the seller reads it."))
    return reason


@transaction.atomic
def shop_suspend(*, shop: Shop, actor, reason: str) -> Shop:
    """Take a stall off the square (moderators). Its page says so; its orders stay reachable."""
    reason = _required_reason(reason)
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    if shop.status == Status.SUSPENDED:
        return shop
    if not shop.can_transition_to(Status.SUSPENDED, moderator=True):
        raise InvalidTransition(shop.status, Status.SUSPENDED)
    old = shop.status
    shop.status = Status.SUSPENDED
    shop.suspended_reason = reason
    shop.save(update_fields=["status", "suspended_reason", "updated_at"])
    _log(
        shop,
        ShopEvent.Action.SUSPENDED,
        actor=actor,
        note=reason,
        old_status=old,
        new_status=Status.SUSPENDED,
    )
    for owner in shop_owners(shop):
        notify(
            recipient=owner,
            kind="shops.suspended",
            context={"shop": shop.name, "reason": reason},
            target=shop,
            actor=actor,
        )
    return shop


@transaction.atomic
def shop_reinstate(*, shop: Shop, actor, note: str = "") -> Shop:
    """Lift a suspension: the stall returns to what it was before (open or on holiday)."""
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    if shop.status != Status.SUSPENDED:
        return shop
    before = (
        shop.events.filter(action=ShopEvent.Action.SUSPENDED)
        .values_list("old_status", flat=True)
        .first()
    )
    to = Status(before) if before in (Status.OPEN, Status.PAUSED) else Status.OPEN
    shop.status = to
    shop.suspended_reason = ""
    shop.save(update_fields=["status", "suspended_reason", "updated_at"])
    _log(
        shop,
        ShopEvent.Action.REINSTATED,
        actor=actor,
        note=note.strip(),
        old_status=Status.SUSPENDED,
        new_status=to,
    )
    for owner in shop_owners(shop):
        notify(
            recipient=owner,
            kind="shops.reinstated",
            context={"shop": shop.name},
            target=shop,
            actor=actor,
        )
    return shop


# --- Verification -----------------------------------------------------------------------------


def _fields_for(kind: str) -> tuple[str, ...]:
    if kind == Verification.Kind.IDENTITY:
        return ("real_name", "id_number")
    return ("business_name", "licence_number", "document")


@transaction.atomic
def verification_request(
    *,
    shop: Shop,
    actor,
    kind: str,
    real_name: str = "",
    id_number: str = "",
    business_name: str = "",
    licence_number: str = "",
    document=None,
) -> Verification:
    """Ask the moderators to verify the seller's identity or business.

    One request of each kind waits at a time; a valid approval can be renewed only in its last
    ``SHOP_VERIFICATION_RENEW_DAYS``. The document goes to the private storage.
    """
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    if shop.status in (Status.CLOSED, Status.SUSPENDED):
        raise DomainError(_("A closed or suspended stall cannot ask to be verified."))
    kind = Verification.Kind(kind)
    if shop.verifications.filter(kind=kind, status=Verification.Status.PENDING).exists():
        raise DomainError(
            _("Your request is already waiting for review; we will tell you the answer.")
        )
    badge_until = (
        shop.identity_verified_until
        if kind == Verification.Kind.IDENTITY
        else shop.business_verified_until
    )
    renew_from = timezone.now() + timedelta(days=settings.SHOP_VERIFICATION_RENEW_DAYS)
    if badge_until and badge_until > renew_from:
        raise DomainError(
            _("You are verified until %(date)s; you can renew in the last %(days)s days.")
            % {
                "date": timezone.localdate(badge_until).isoformat(),
                "days": settings.SHOP_VERIFICATION_RENEW_DAYS,
            }
        )
    verification = Verification(
        shop=shop,
        kind=kind,
        submitted_by=actor,
        real_name=" ".join(real_name.split()),
        id_number=id_number,
        business_name=" ".join(business_name.split()),
        licence_number=licence_number,
    )
    given = {
        "real_name": verification.real_name,
        "id_number": id_number,
        "business_name": verification.business_name,
        "licence_number": licence_number,
        "document": document,
    }
    missing = [name for name in _fields_for(kind) if not given[name]]
    if missing:
        labels = ", ".join(str(Verification._meta.get_field(n).verbose_name) for n in missing)
        raise DomainError(_("Please fill in: %(fields)s.") % {"fields": labels})
    try:
        verification.full_clean(exclude=["document", "shop", "submitted_by"])
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    if document:
        document.seek(0)
        verification.document_format = sniff(document.read(512)) or ""
        document.seek(0)
        verification.document.save("document", document, save=False)
    try:
        with transaction.atomic():
            verification.save()
    except IntegrityError as exc:  # a double submit racing the check above
        raise DomainError(
            _("Your request is already waiting for review; we will tell you the answer.")
        ) from exc
    _log(shop, ShopEvent.Action.VERIFICATION_REQUESTED, actor=actor, note=kind.label)
    notify_moderators(
        perm=VERIFICATION_PERM,
        kind="moderation.verification",
        context={"shop_name": shop.name, "kind": kind.value, "who": str(actor)},
        target=_admin_link(verification),
        actor=actor,
    )
    return verification


VERIFICATION_PERM = "shops.change_verification"


def _admin_link(verification: Verification) -> Link:
    return Link("admin:shops_verification_change", verification.pk)


def _decided(verification: Verification) -> None:
    """The request is decided: the moderators' "waiting" notifications about it are read."""
    moderation_done(
        perm=VERIFICATION_PERM, kind="moderation.verification", target=_admin_link(verification)
    )


def _set_badge(shop: Shop, kind: str, at, until) -> None:
    setattr(shop, f"{kind}_verified_at", at)
    setattr(shop, f"{kind}_verified_until", until)
    shop.save(update_fields=[f"{kind}_verified_at", f"{kind}_verified_until", "updated_at"])
    trust_changed(shop_id=shop.pk)  # a badge is part of the trust score


def _lock(verification: Verification) -> tuple[Verification, Shop]:
    shop = Shop.objects.select_for_update().get(pk=verification.shop_id)
    verification = Verification.objects.select_for_update().get(pk=verification.pk)
    return verification, shop


@transaction.atomic
def verification_approve(*, verification: Verification, actor, note: str = "") -> Verification:
    """Approve a waiting request: the badge shows, dated today, for a year."""
    verification, shop = _lock(verification)
    if verification.status == Verification.Status.APPROVED:
        return verification
    if verification.status != Verification.Status.PENDING:
        raise DomainError(_("Only a request that is waiting can be approved."))
    now = timezone.now()
    verification.status = Verification.Status.APPROVED
    verification.decided_by = actor
    verification.decided_at = now
    verification.expires_at = now + timedelta(days=settings.SHOP_VERIFICATION_VALID_DAYS)
    verification.reason = note.strip()
    verification.save()
    _decided(verification)
    _set_badge(shop, verification.kind, now, verification.expires_at)
    _log(
        shop,
        ShopEvent.Action.VERIFICATION_APPROVED,
        actor=actor,
        note=f"{verification.get_kind_display()} {note}".strip(),
    )
    for owner in shop_owners(shop):
        notify(
            recipient=owner,
            kind="shops.verification_approved",
            context={
                "shop": shop.name,
                "kind": verification.kind,
                "until": timezone.localdate(verification.expires_at).isoformat(),
            },
            target=verification,
            actor=actor,
        )
    return verification


@transaction.atomic
def verification_reject(*, verification: Verification, actor, reason: str) -> Verification:
    """Turn a request down (or withdraw an approval) with a reason; its badge disappears."""
    reason = _required_reason(reason)
    verification, shop = _lock(verification)
    if verification.status == Verification.Status.REJECTED:
        return verification
    verification.status = Verification.Status.REJECTED
    verification.decided_by = actor
    verification.decided_at = timezone.now()
    verification.reason = reason
    verification.save()
    _decided(verification)
    # The latest decision of a kind wins: a turned-down renewal takes the old badge away too.
    _set_badge(shop, verification.kind, None, None)
    _log(
        shop,
        ShopEvent.Action.VERIFICATION_REJECTED,
        actor=actor,
        note=f"{verification.get_kind_display()}: {reason}",
    )
    for owner in shop_owners(shop):
        notify(
            recipient=owner,
            kind="shops.verification_rejected",
            context={"shop": shop.name, "kind": verification.kind, "reason": reason},
            target=verification,
            actor=actor,
        )
    return verification
