"""Share links, visits and the referral rule.

The rule (README, "Principles"): one level only. An order records the sharer of the link it
came through and nothing else; nobody gains from the people their referees refer. A buyer never
refers themselves, and a stall's own members sharing their stall get plain links.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from microstore.errors import DomainError
from microstore.sharing.models import ShareLink, ShareVisit
from shops.selectors import shop_is_member

COOKIE_NAME = "ms_share"
COOKIE_SALT = "sharing"
CODE_BYTES = 6  # eight URL-safe characters


def cookie_max_age() -> int:
    return settings.SHARE_ATTRIBUTION_DAYS * 24 * 60 * 60


@transaction.atomic
def share_link_for(*, user, shop, product=None) -> ShareLink:
    """The sharer's link for ``shop`` (or ``product`` of it), made on first use."""
    if not user.is_authenticated:
        raise DomainError(_("Log in to get a share link."))
    if product is not None and product.shop_id != shop.pk:
        raise DomainError(_("This product is not sold by this stall."))
    existing = ShareLink.objects.filter(user=user, shop=shop, product=product).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return ShareLink.objects.create(
                    user=user, shop=shop, product=product, code=secrets.token_urlsafe(CODE_BYTES)
                )
        except IntegrityError:  # a code clash, or a parallel request made the same link
            existing = ShareLink.objects.filter(user=user, shop=shop, product=product).first()
            if existing is not None:
                return existing
    raise DomainError(_("Could not make a share link; please try again."))


def share_visit_record(*, link: ShareLink) -> str:
    """Count a visit (no personal data) and return the signed cookie value that attributes
    the visitor's next orders at the link's stall to the sharer for the window."""
    ShareVisit.objects.create(link=link)
    return signing.dumps({"code": link.code}, salt=COOKIE_SALT, compress=True)


def link_from_cookie(value: str | None) -> ShareLink | None:
    """The link a still-valid attribution cookie names; tampered or expired → None."""
    if not value:
        return None
    try:
        data = signing.loads(value, salt=COOKIE_SALT, max_age=cookie_max_age())
    except signing.BadSignature:  # includes SignatureExpired
        return None
    code = data.get("code") if isinstance(data, dict) else None
    if not isinstance(code, str):
        return None
    return ShareLink.objects.select_related("user").filter(code=code).first()


def referrer_for(*, link: ShareLink | None, buyer, shop):
    """The sharer credited with ``buyer``'s order at ``shop``, or None. One level: only the
    link's own sharer, never anyone behind them; never the buyer; never the stall's members."""
    if link is None or link.shop_id != shop.pk or link.user_id == buyer.pk:
        return None
    if shop_is_member(shop=shop, user=link.user):
        return None
    return link.user
