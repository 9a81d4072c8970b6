"""Every write to stalls: open, update (rename keeps old links), change status, follow."""

import re
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from microstore.errors import DomainError
from microstore.images.models import Purpose
from microstore.images.services import image_create
from shops.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Follow,
    Shop,
    ShopMember,
    ShopSlug,
    Status,
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
)


class InvalidTransition(DomainError):
    def __init__(self, old: str, new: str):
        super().__init__(
            _("A stall that is %(old)s cannot become %(new)s.")
            % {"old": Status(old).label, "new": Status(new).label}
        )


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
    shop.status = to
    shop.save(update_fields=["status", "updated_at"])
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
