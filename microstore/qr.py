"""QR codes: one way to make them (``qr_code``), drawn as SVG here, crisp at any size (one
``<path>`` on a viewBox, no ``style=``: CSP-safe), and as pixels on share posters."""

import io

import segno
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

QUIET_ZONE = 4  # modules of white around the code, as the standard asks
# A QR code depends only on its URL; an hour keeps printers and chat previews fast, and a
# renamed product (new slug) is picked up soon after.
QR_MAX_AGE = 60 * 60


def qr_code(url: str) -> segno.QRCode:
    """The QR code of ``url``: error correction M, never a micro code."""
    return segno.make(url, error="m", micro=False, boost_error=False)


def qr_svg(url: str, *, title: str = "") -> str:
    """An ``<svg>`` QR code for ``url`` (error correction M, the standard 4-module quiet zone).

    No width or height: it scales with its box (CSS or the ``viewBox``). Safe to serve as
    ``image/svg+xml`` or to inline in a page: no scripts, no style attributes.
    """
    out = io.BytesIO()
    qr_code(url).save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=True,
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
        svgclass="qr",
        lineclass="qr__modules",
        title=title or None,
    )
    return out.getvalue().decode()


def qr_response(url: str, *, title: str = "", private: bool = False) -> HttpResponse:
    """``qr_svg(url)`` as an ``image/svg+xml`` response, never sniffed as anything else,
    cached for ``QR_MAX_AGE``: anywhere, or only in the browser when ``private``."""
    response = HttpResponse(qr_svg(url, title=title), content_type="image/svg+xml; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    if private:
        patch_cache_control(response, private=True, max_age=QR_MAX_AGE)
    else:
        patch_cache_control(response, public=True, max_age=QR_MAX_AGE)
    return response
