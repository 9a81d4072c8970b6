"""QR codes: one way to make them (``qr_code``), drawn as SVG here, crisp at any size (one
``<path>`` on a viewBox, no ``style=``: CSP-safe), and as pixels on share posters."""

import io

import segno

QUIET_ZONE = 4  # modules of white around the code, as the standard asks


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
