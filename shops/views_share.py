"""Sharing a stall or a product away from the screen: QR codes (SVG) and the printable card."""

from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalog import selectors as catalog_selectors
from microstore.notifications.services import absolute_url
from microstore.qr import qr_response, qr_svg
from shops.access import get_shop_on_square


def rendition_url(image, width: int = 1600) -> str:
    """The absolute URL (``settings.SITE_URL``) of ``image``'s widest JPEG up to ``width``."""
    name = image.jpeg_up_to(width) if image is not None else ""
    return absolute_url(default_storage.url(name)) if name else ""


def shop_share_context(shop) -> dict:
    """What the stall page needs for its Open Graph / Twitter tags (absolute URLs)."""
    return {
        "canonical_url": absolute_url(shop.get_absolute_url()),
        "og_image": rendition_url(shop.banner if shop.banner_id else None)
        or rendition_url(shop.logo if shop.logo_id else None),
    }


@require_GET
def shop_qr(request, slug):
    """The stall's QR code: its short link ``/s/<code>/``, which survives a change of name."""
    shop = get_shop_on_square(slug)
    url = absolute_url(shop.get_short_url())
    return qr_response(url, title=_("QR code for %(name)s") % {"name": shop.name})


@require_GET
def product_qr(request, slug, product):
    """A published product's QR code: its canonical page. Drafts and hidden goods are a 404."""
    shop = get_shop_on_square(slug)
    found = catalog_selectors.product_for_page(shop=shop, slug=product)
    if found is None or not found.is_published:
        raise Http404
    url = absolute_url(found.get_absolute_url())
    return qr_response(url, title=_("QR code for %(name)s") % {"name": found.title})


@require_GET
def shop_card(request, slug):
    """A printable stall card (a market stall's sign, a parcel insert): name, logo, badges,
    trust score, the QR code and the short link."""
    shop = get_shop_on_square(slug)
    short_url = absolute_url(shop.get_short_url())
    context = {
        "shop": shop,
        "trust": getattr(shop, "trust", None),
        "short_url": short_url,
        "qr": qr_svg(short_url, title=_("QR code for %(name)s") % {"name": shop.name}),
    }
    return render(request, "shops/shop_card.html", context)
