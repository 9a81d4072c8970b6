"""QR codes as SVG, crisp at any size: one ``<path>`` on a viewBox, no ``style=`` (CSP-safe)."""

import io

import segno


def qr_svg(url: str, *, title: str = "") -> str:
    """An ``<svg>`` QR code for ``url`` (error correction M, the standard 4-module quiet zone).

    No width or height: it scales with its box (CSS or the ``viewBox``). Safe to serve as
    ``image/svg+xml`` or to inline in a page: no scripts, no style attributes.
    """
    code = segno.make(url, error="m", micro=False, boost_error=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=True,
        border=4,
        dark="#000",
        light="#fff",
        svgclass="qr",
        lineclass="qr__modules",
        title=title or None,
    )
    return out.getvalue().decode()
