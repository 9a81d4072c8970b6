"""Every read a stall page needs, with logo, banner and badges in the same query."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from shops.models import Follow, Region, Shop, ShopMember, ShopSlug, Status, Verification

SORTS = {
    # The trust score (reviews/trust.py), stalls without one after those with one; then
    # verified identity and business first, the stalls people keep following, the longest on
    # the square.
    "trust": (
        F("trust__score").desc(nulls_last=True),
        "-trust_rank",
        "-followers_count",
        "created_at",
        "pk",
    ),
    "newest": ("-created_at", "-pk"),
    "followed": ("-followers_count", "-created_at", "-pk"),
}
DEFAULT_SORT = "trust"
VISIBLE = (Status.OPEN, Status.PAUSED)


def _for_display(qs: QuerySet) -> QuerySet:
    """Pictures and trust score joined, and the owner's email date for the "email confirmed"
    badge."""
    owner_email = ShopMember.objects.filter(shop=OuterRef("pk"), role=ShopMember.Role.OWNER).values(
        "user__email_confirmed_at"
    )[:1]
    return qs.select_related("logo", "banner", "trust").annotate(
        owner_email_confirmed_at=Subquery(owner_email)
    )


def verified_q(now=None) -> Q:
    """Stalls whose seller's identity is verified right now (what "verified only" means)."""
    return Q(identity_verified_until__gt=now or timezone.now())


def shop_list_square(
    *,
    region: str = "",
    sort: str = DEFAULT_SORT,
    verified: bool = False,
    min_trust: int | None = None,
) -> QuerySet:
    """Stalls on the square: open and on-holiday ones (never closed or suspended).
    ``min_trust``: only stalls whose trust score is at least this (stalls without one out)."""
    now = timezone.now()
    qs = _for_display(Shop.objects.filter(status__in=VISIBLE))
    if region in Region.values:
        qs = qs.filter(region=region)
    if verified:
        qs = qs.filter(verified_q(now))
    if min_trust is not None:
        qs = qs.filter(trust__score__gte=min_trust)
    if sort not in SORTS:
        sort = DEFAULT_SORT
    if sort == "trust":
        qs = qs.annotate(
            trust_rank=Case(
                When(identity_verified_until__gt=Value(now), then=Value(2)), default=Value(0)
            )
            + Case(When(business_verified_until__gt=Value(now), then=Value(1)), default=Value(0))
        )
    return qs.order_by(*SORTS[sort])


def shop_by_slug(slug: str) -> Shop | None:
    """The stall at this slug, whatever its status (closed stalls show a notice)."""
    return _for_display(Shop.objects.filter(slug=slug)).first()


def shop_slug_redirect(*, slug: str = "", code: str = "") -> Shop | None:
    """The stall an old slug or a short code points at (only ``slug``/``code`` loaded)."""
    if code:
        return Shop.objects.only("slug").filter(code=code.lower()).first()
    old = ShopSlug.objects.select_related("shop").only("shop__slug").filter(slug=slug).first()
    return old.shop if old else None


def shop_is_member(*, shop: Shop, user) -> bool:
    """Whether ``user`` runs this stall (owner now, staff later): they see its previews."""
    return user.is_authenticated and shop.members.filter(user=user).exists()


def shop_is_followed(*, shop: Shop, user) -> bool:
    if not user.is_authenticated:
        return False
    return Follow.objects.filter(shop=shop, user=user).exists()


def shop_list_followed(*, user) -> QuerySet:
    """The stalls this user follows, most recently followed first."""
    return _for_display(Shop.objects.filter(follows__user=user)).order_by(
        "-follows__created_at", "-pk"
    )


def shop_owned_by(user) -> Shop | None:
    """The stall this user owns (one per user for now), or None."""
    if not user.is_authenticated:
        return None
    return _for_display(
        Shop.objects.filter(members__user=user, members__role=ShopMember.Role.OWNER)
    ).first()


def shop_list_owned_by(*, user) -> QuerySet:
    """Every stall ``user`` owns, whatever its status (banning or restoring the owner)."""
    return Shop.objects.filter(members__user=user, members__role=ShopMember.Role.OWNER).order_by(
        "pk"
    )


def verification_list_for_shop(shop: Shop) -> QuerySet:
    """The stall's requests, newest first (the seller's verification page)."""
    return Verification.objects.filter(shop=shop).order_by("-submitted_at", "-pk")


def verification_state(shop: Shop) -> dict:
    """Per kind: the current badge date and expiry, the waiting request, the last refusal."""
    requests = list(verification_list_for_shop(shop)[:20])
    renew_from = timezone.now() + timedelta(days=settings.SHOP_VERIFICATION_RENEW_DAYS)
    state = {}
    for kind in Verification.Kind:
        mine = [v for v in requests if v.kind == kind]
        pending = next((v for v in mine if v.is_pending), None)
        last_decided = next((v for v in mine if v.decided_at), None)
        badge = shop.identity_badge() if kind == "identity" else shop.business_badge()
        until = shop.identity_verified_until if kind == "identity" else shop.business_verified_until
        state[kind.value] = {
            "kind": kind,
            "badge": badge,
            "until": until if badge else None,
            "expired": bool(until and not badge),
            "pending": pending,
            "can_request": pending is None and not (badge and until > renew_from),
            "rejected": last_decided
            if last_decided and last_decided.status == Verification.Status.REJECTED
            else None,
        }
    return state
