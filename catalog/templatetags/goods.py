"""``{% load goods %}``: ``{{ amount|cny }}`` and ``{% jsonld data %}``."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from microstore.money import quantize

register = template.Library()

# As django.utils.html.json_script: nothing in the data can close the <script> element.
JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def cny(amount) -> str:
    """¥1,234.50 (the sign, thousands grouped, two places); "" for no amount."""
    if amount is None or amount == "":
        return ""
    return f"¥{quantize(amount):,.2f}"


@register.simple_tag
def jsonld(data) -> str:
    """Structured data as ``<script type="application/ld+json">``: a data block the browser
    never runs, so ``script-src 'self'`` does not apply; escaped like ``json_script``."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
