"""Every read a stall page needs, with logo and banner joined so query counts stay flat."""

from django.db.models import QuerySet

from shops.models import Follow, Region, Shop, ShopMember, ShopSlug, Status

SORTS = {
    "newest": ("-created_at", "-pk"),
    "followed": ("-followers_count", "-created_at", "-pk"),
}
DEFAULT_SORT = "newest"
VISIBLE = (Status.OPEN, Status.PAUSED)


def _with_pictures(qs: QuerySet) -> QuerySet:
    return qs.select_related("logo", "banner")


def shop_list_square(*, region: str = "", sort: str = DEFAULT_SORT) -> QuerySet:
    """Stalls on the square: open and on-holiday ones, optionally in one region.

    ("Verified only" and "sort by trust" arrive with verification, in a later increment.)
    """
    qs = _with_pictures(Shop.objects.filter(status__in=VISIBLE))
    if region in Region.values:
        qs = qs.filter(region=region)
    return qs.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def shop_by_slug(slug: str) -> Shop | None:
    """The stall at this slug, whatever its status (closed stalls show a notice)."""
    return _with_pictures(Shop.objects.filter(slug=slug)).first()


def shop_slug_redirect(*, slug: str = "", code: str = "") -> Shop | None:
    """The stall an old slug or a short code points at (only ``slug``/``code`` loaded)."""
    if code:
        return Shop.objects.only("slug").filter(code=code.lower()).first()
    old = ShopSlug.objects.select_related("shop").only("shop__slug").filter(slug=slug).first()
    return old.shop if old else None


def shop_is_followed(*, shop: Shop, user) -> bool:
    if not user.is_authenticated:
        return False
    return Follow.objects.filter(shop=shop, user=user).exists()


def shop_list_followed(*, user) -> QuerySet:
    """The stalls this user follows, most recently followed first."""
    return _with_pictures(Shop.objects.filter(follows__user=user)).order_by(
        "-follows__created_at", "-pk"
    )


def shop_owned_by(user) -> Shop | None:
    """The stall this user owns (one per user for now), or None."""
    if not user.is_authenticated:
        return None
    return _with_pictures(
        Shop.objects.filter(members__user=user, members__role=ShopMember.Role.OWNER)
    ).first()
