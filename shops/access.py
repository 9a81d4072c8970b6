"""Ownership look-ups: a stall you do not run is a 404, exactly like one that does not exist."""

from django.http import Http404

from shops.models import Shop
from shops.selectors import shop_by_slug


def get_shop_for_member(user, slug: str) -> Shop:
    """The stall at ``slug`` if ``user`` is one of its members (owner now, staff later)."""
    if not user.is_authenticated:
        raise Http404
    shop = (
        Shop.objects.select_related("logo", "banner").filter(slug=slug, members__user=user).first()
    )
    if shop is None:
        raise Http404
    return shop


def get_shop_on_square(slug: str) -> Shop:
    """The stall at ``slug`` if it is on the square (open or on holiday), for anyone to see,
    follow, share or mute; a missing, closed or suspended stall is a 404."""
    shop = shop_by_slug(slug)
    if shop is None or shop.is_closed:
        raise Http404
    return shop
