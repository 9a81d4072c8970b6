"""``{% load pictures %}{% picture image alt=... sizes=... class=... eager=False poll=False %}``

Ready: a ``<picture>`` with a WebP ``srcset`` and a JPEG ``<img>`` fallback carrying width,
height, alt, ``loading="lazy"`` (``eager=True`` above the fold) and ``decoding="async"``, over
an SVG in the dominant colour that reserves the space. Pending or failed: the same SVG with
"Processing photo…" or "Photo unavailable"; with ``poll=True`` a pending picture asks the
server again every two seconds (htmx) and swaps itself for the finished one.
"""

import re
from urllib.parse import urlencode

from django import template
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse

from microstore.images.models import Status

register = template.Library()

DEFAULT_SIZES = "100vw"
PLACEHOLDER_COLOR = "#f3ede3"
COLOR = re.compile(r"^#[0-9a-f]{6}$")
CLASS_NAMES = re.compile(r"^[A-Za-z0-9_\- ]{0,100}$")
FALLBACK_WIDTH = 800  # the JPEG in src= for browsers without srcset


def _srcset(renditions: list[dict]) -> str:
    return ", ".join(f"{default_storage.url(r['name'])} {r['width']}w" for r in renditions)


def picture_context(
    image,
    *,
    alt: str = "",
    sizes: str = DEFAULT_SIZES,
    css_class: str = "",
    eager=False,
    poll=False,
) -> dict:
    css_class = css_class if CLASS_NAMES.match(css_class or "") else ""
    color = image.dominant_color if COLOR.match(image.dominant_color or "") else PLACEHOLDER_COLOR
    context = {
        "image": image,
        "alt": alt,
        "sizes": sizes or DEFAULT_SIZES,
        "css_class": css_class.strip(),
        "eager": bool(eager),
        "color": color,
        "ready": image.is_ready,
        "pending": image.status == Status.PENDING,
    }
    if image.is_ready:
        jpegs = image.renditions_of("jpeg")
        fallback = [r for r in jpegs if r["width"] <= FALLBACK_WIDTH] or jpegs
        context |= {
            "webp_srcset": _srcset(image.renditions_of("webp")),
            "jpeg_srcset": _srcset(jpegs),
            "fallback_url": default_storage.url(fallback[-1]["name"]),
        }
    elif poll and context["pending"]:
        query = urlencode({"alt": alt, "sizes": context["sizes"], "class": context["css_class"]})
        context["poll_url"] = f"{reverse('images:picture', args=[image.pk])}?{query}"
    return context


@register.simple_tag
def picture(image, alt="", sizes=DEFAULT_SIZES, eager=False, poll=False, **kwargs):
    """Render an ``Image``; nothing at all for ``None``. ``class=`` adds CSS classes."""
    if image is None:
        return ""
    context = picture_context(
        image,
        alt=alt,
        sizes=sizes,
        css_class=kwargs.get("class", ""),
        eager=eager,
        poll=poll,
    )
    return render_to_string("images/picture.html", context)
