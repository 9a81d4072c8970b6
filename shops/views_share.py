"""Sharing a stall or a product away from the screen: QR codes (SVG) and the printable card."""

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalog import selectors as catalog_selectors
from microstore.notifications.services import absolute_url
from microstore.qr import qr_svg
from shops import selectors

# A QR code depends only on its URL; an hour keeps printers and chat previews fast, and a
# renamed product (new slug) is picked up soon after.
QR_MAX_AGE = 60 * 60


def rendition_url(image, width: int = 1600) -> str:
    """The absolute URL (``settings.SITE_URL``) of ``image``'s widest JPEG up to ``width``."""
    if image is None or not image.is_ready:
        return ""
    jpegs = image.renditions_of("jpeg")
    chosen = [r for r in jpegs if r["width"] <= width] or jpegs
    return absolute_url(default_storage.url(chosen[-1]["name"]))


def shop_share_context(shop) -> dict:
    """What the stall page needs for its Open Graph / Twitter tags (absolute URLs)."""
    return {
        "canonical_url": absolute_url(shop.get_absolute_url()),
        "og_image": rendition_url(shop.banner if shop.banner_id else None)
        or rendition_url(shop.logo if shop.logo_id else None),
    }


def _open_shop(slug: str):
    """The stall at ``slug`` unless it is missing or closed (nothing to share then): else 404."""
    shop = selectors.shop_by_slug(slug)
    if shop is None or shop.is_closed:
        raise Http404
    return shop


def _svg_response(svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=QR_MAX_AGE)
    return response


@require_GET
def shop_qr(request, slug):
    """The stall's QR code: its short link ``/s/<code>/``, which survives a change of name."""
    shop = _open_shop(slug)
    url = absolute_url(shop.get_short_url())
    return _svg_response(qr_svg(url, title=_("QR code for %(name)s") % {"name": shop.name}))


@require_GET
def product_qr(request, slug, product):
    """A published product's QR code: its canonical page. Drafts and hidden goods are a 404."""
    shop = _open_shop(slug)
    found = catalog_selectors.product_for_page(shop=shop, slug=product)
    if found is None or not found.is_published:
        raise Http404
    url = absolute_url(found.get_absolute_url())
    return _svg_response(qr_svg(url, title=_("QR code for %(name)s") % {"name": found.title}))


@require_GET
def shop_card(request, slug):
    """A printable stall card (a market stall's sign, a parcel insert): name, logo, badges,
    trust score, the QR code and the short link."""
    shop = _open_shop(slug)
    short_url = absolute_url(shop.get_short_url())
    context = {
        "shop": shop,
        "trust": getattr(shop, "trust", None),
        "short_url": short_url,
        "qr": qr_svg(short_url, title=_("QR code for %(name)s") % {"name": shop.name}),
    }
    return render(request, "shops/shop_card.html", context)
