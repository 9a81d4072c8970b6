"""The share poster: a PNG to post in a chat app, drawn with Pillow.

``poster_render(facts=...)`` is a pure function: the same facts give the same bytes. Layout
(for the default 750 x 1200, scaled with the width): the cover photo fills the top square (or
a coloured square with the stall's initial), then the title (two lines at most), the price in
large red, and at the bottom the stall's name, badges and trust score beside the QR code of
the share link with "Scan to open" under it.

Text is drawn run by run with the first font of ``settings.SHARE_POSTER_FONTS`` that has each
character (the bundled GB2312 subset, then system fonts), so Chinese renders without a
system font and rarer characters still find one. No font at all → ``PosterFontMissing``.
"""

import hashlib
import io
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from microstore.qr import QUIET_ZONE, qr_code

# Bump when the drawing changes: every poster's fingerprint changes, so each is remade on its
# next request.
RENDERER_VERSION = 1

BASE_WIDTH = 750  # the layout's sizes below are for this width and scale with the real one
WHITE = (255, 255, 255)
INK = (31, 35, 40)
MUTED = (107, 114, 128)
RED = (208, 49, 45)
GREEN = (26, 127, 55)
RULE = (229, 231, 235)
PLACEHOLDERS = [(176, 112, 64), (90, 124, 92), (70, 110, 150), (150, 84, 110), (120, 104, 60)]
NOTDEF_PROBE = "\U0010fffd"  # private use, plane 16: no font has it, so it draws the notdef box
PROBE_SIZE = 32
ELLIPSIS = "…"
# Words of Latin letters and digits stay whole when wrapping; anything else breaks anywhere.
TOKENS = re.compile(r"[0-9A-Za-z\u00c0-\u024f'\u2019.,!?%&+\-]+|\s+|.", re.S)


class PosterFontMissing(Exception):
    """None of the fonts in ``settings.SHARE_POSTER_FONTS`` exists on this machine."""

    def __init__(self, paths):
        super().__init__(
            _(
                "No font for share posters: none of the files in SHARE_POSTER_FONTS exists "
                "(%(paths)s). Restore the bundled font or run: apt-get install "
                "fonts-wqy-microhei"
            )
            % {"paths": ", ".join(paths) or "-"}
        )
        self.message = str(self.args[0])


@dataclass(frozen=True)
class PosterFacts:
    """What a poster shows. ``cover_key`` names the cover (its rendition's file name, which
    changes with the photo); ``cover`` holds its bytes when rendering and is left out of the
    fingerprint."""

    title: str
    price: Decimal | None
    price_from: bool  # several variants: "from ¥68.00", as the product card says
    stall_name: str
    badges: tuple[str, ...]  # valid badge kinds: "identity", "business"
    trust_score: int | None  # None: a new stall, too little history for a score
    share_url: str
    cover_key: str = ""
    cover: bytes | None = field(default=None, repr=False)

    def fingerprint(self) -> str:
        """sha256 of everything drawn, the renderer's version, size, fonts and language."""
        data = asdict(self)
        data.pop("cover")
        data["price"] = str(self.price)
        data["renderer"] = [RENDERER_VERSION, list(poster_size()), settings.LANGUAGE_CODE]
        data["fonts"] = list(available_fonts())
        return hashlib.sha256(repr(sorted(data.items())).encode()).hexdigest()


def poster_size() -> tuple[int, int]:
    width, height = settings.SHARE_POSTER_SIZE
    return int(width), int(height)


def available_fonts() -> tuple[str, ...]:
    """The configured fonts that exist, in order."""
    return tuple(str(p) for p in settings.SHARE_POSTER_FONTS if Path(p).is_file())


def check_fonts() -> tuple[str, ...]:
    fonts = available_fonts()
    if not fonts:
        raise PosterFontMissing([str(p) for p in settings.SHARE_POSTER_FONTS])
    return fonts


@lru_cache(maxsize=64)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=0, layout_engine=ImageFont.Layout.BASIC)


def _mask_bytes(font: ImageFont.FreeTypeFont, char: str) -> tuple:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


@lru_cache(maxsize=16384)
def has_glyph(path: str, char: str) -> bool:
    """Whether the font at ``path`` draws ``char`` with a glyph of its own, not the notdef box.
    Pillow alone (no fontTools at run time): compare the character's mask with the box's."""
    if char.isspace():
        return True
    font = _font(path, PROBE_SIZE)
    return _mask_bytes(font, char) != _mask_bytes(font, NOTDEF_PROBE)


def font_for(char: str, fonts: tuple[str, ...]) -> str:
    """The first font that has ``char``; the first font (its box) when none has it."""
    for path in fonts:
        if has_glyph(path, char):
            return path
    return fonts[0]


class Text:
    """Measure and draw text at one size, each character in the first font that has it."""

    def __init__(self, fonts: tuple[str, ...], size: int):
        self.fonts = fonts
        self.size = max(int(size), 1)

    def runs(self, text: str) -> list[tuple[str, ImageFont.FreeTypeFont]]:
        runs: list[tuple[str, str]] = []
        for char in text:
            path = font_for(char, self.fonts)
            if runs and runs[-1][1] == path:
                runs[-1] = (runs[-1][0] + char, path)
            else:
                runs.append((char, path))
        return [(chunk, _font(path, self.size)) for chunk, path in runs]

    def width(self, text: str) -> float:
        return sum(font.getlength(chunk) for chunk, font in self.runs(text))

    def draw(self, draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, fill) -> None:
        """``xy`` is the left end of the baseline."""
        x, y = xy
        for chunk, font in self.runs(text):
            draw.text((x, y), chunk, font=font, fill=fill, anchor="ls")
            x += font.getlength(chunk)

    def fit(self, text: str, width: float) -> str:
        """``text`` cut with an ellipsis to fit ``width``."""
        if self.width(text) <= width:
            return text
        while text and self.width(text.rstrip() + ELLIPSIS) > width:
            text = text[:-1]
        return text.rstrip() + ELLIPSIS

    def wrap(self, text: str, width: float, max_lines: int) -> list[str]:
        """Greedy wrapping: Latin words whole (unless longer than a line), CJK anywhere; the
        last line ends with an ellipsis if text is left over."""
        lines: list[str] = []
        line = ""
        tokens = TOKENS.findall(" ".join(text.split()))
        while tokens:
            token = tokens.pop(0)
            if self.width(line + token) <= width:
                line += token
            elif len(token) > 1 and self.width(token) > width:  # longer than a line: split it
                tokens[:0] = list(token)
            elif len(lines) == max_lines - 1:  # no room left: cut the last line
                lines.append(self.fit(line + token + "".join(tokens), width))
                return lines
            else:
                if line.strip():
                    lines.append(line.rstrip())
                line = "" if token.isspace() else token
        if line.strip():
            lines.append(line.rstrip())
        return lines


@dataclass(frozen=True)
class QRBox:
    """Where the QR code is drawn: its top-left corner (outside edge of the quiet zone), the
    module size in pixels and the number of modules across, quiet zone included."""

    x: int
    y: int
    module: int
    modules: int

    @property
    def size(self) -> int:
        return self.module * self.modules


def qr_box(url: str) -> QRBox:
    """The QR code's place: bottom right, about 220 px across at the base width, in whole
    pixels per module so every module is crisp and the code scans."""
    width, height = poster_size()
    scale = width / BASE_WIDTH
    modules = qr_code(url).symbol_size(scale=1, border=QUIET_ZONE)[0]
    module = max(2, int(232 * scale) // modules)
    size = module * modules
    margin = int(24 * scale)  # the quiet zone is white already: less outer margin is needed
    return QRBox(x=width - margin - size, y=height - margin - size, module=module, modules=modules)


def _draw_qr(draw: ImageDraw.ImageDraw, url: str, box: QRBox) -> None:
    draw.rectangle([box.x, box.y, box.x + box.size - 1, box.y + box.size - 1], fill=WHITE)
    for row, cells in enumerate(qr_code(url).matrix_iter(scale=1, border=QUIET_ZONE)):
        for col, dark in enumerate(cells):
            if dark:
                x, y = box.x + col * box.module, box.y + row * box.module
                draw.rectangle([x, y, x + box.module - 1, y + box.module - 1], fill=INK)


def _cover(facts: PosterFacts, fonts, size: tuple[int, int]) -> Image.Image:
    if facts.cover:
        try:
            with Image.open(io.BytesIO(facts.cover)) as photo:
                photo = ImageOps.exif_transpose(photo).convert("RGB")
                return ImageOps.fit(photo, size, method=Image.Resampling.LANCZOS)
        except (UnidentifiedImageError, OSError, ValueError):
            pass  # an unreadable photo: the placeholder below, rather than no poster
    digest = hashlib.sha256(facts.stall_name.encode()).digest()
    tile = Image.new("RGB", size, PLACEHOLDERS[digest[0] % len(PLACEHOLDERS)])
    initial = (facts.stall_name.strip() or facts.title.strip() or "?")[0]
    text = Text(fonts, size[1] * 0.42)
    draw = ImageDraw.Draw(tile)
    x = (size[0] - text.width(initial)) / 2
    text.draw(draw, (x, size[1] * 0.5 + text.size * 0.36), initial, WHITE)
    return tile


def poster_render(*, facts: PosterFacts) -> bytes:
    """The poster as PNG bytes, in ``settings.LANGUAGE_CODE``."""
    fonts = check_fonts()
    with translation.override(settings.LANGUAGE_CODE):
        return _render(facts, fonts)


def _px(value: float, scale: float) -> int:
    return round(value * scale)


def _render(facts: PosterFacts, fonts: tuple[str, ...]) -> bytes:
    width, height = poster_size()
    s = width / BASE_WIDTH
    pad = _px(40, s)
    qr = qr_box(facts.share_url)
    cover_height = max(min(width, qr.y - _px(234, s)), _px(120, s))  # square when it fits
    canvas = Image.new("RGB", (width, height), WHITE)
    canvas.paste(_cover(facts, fonts, (width, cover_height)), (0, 0))
    draw = ImageDraw.Draw(canvas)

    # Title and price under the photo.
    title = Text(fonts, _px(40, s))
    y = cover_height + _px(36, s) + title.size
    for line in title.wrap(facts.title, width - 2 * pad, max_lines=2):
        title.draw(draw, (pad, y), line, INK)
        y += _px(52, s)
    if facts.price is not None:
        amount = f"¥{facts.price:,.2f}"
        label = _("from %(price)s") % {"price": amount} if facts.price_from else amount
        price = Text(fonts, _px(60, s))
        y += price.size - _px(40, s) + _px(8, s)
        price.draw(draw, (pad, y), label, RED)

    # The stall beside the QR code.
    rule_y = qr.y - _px(8, s)
    draw.line([(pad, rule_y), (width - pad, rule_y)], fill=RULE, width=max(1, _px(2, s)))
    column = qr.x - pad - _px(8, s)
    name, small = Text(fonts, _px(34, s)), Text(fonts, _px(26, s))
    y = qr.y + qr.module * QUIET_ZONE + name.size
    name.draw(draw, (pad, y), name.fit(facts.stall_name, column), INK)
    labels = {"identity": _("Identity verified"), "business": _("Business verified")}
    if facts.badges:
        y += _px(46, s)
        badges = "  ".join(f"✓ {labels.get(kind, kind)}" for kind in facts.badges)
        small.draw(draw, (pad, y), small.fit(badges, column), GREEN)
    y += _px(46, s)
    if facts.trust_score is None:
        trust = _("New stall")
    else:
        trust = _("Trust score %(score)s") % {"score": facts.trust_score}
    small.draw(draw, (pad, y), small.fit(trust, column), MUTED)
    caption_y = qr.y + qr.size - qr.module * QUIET_ZONE
    small.draw(draw, (pad, caption_y), small.fit(_("Scan to open →"), column), INK)
    _draw_qr(draw, facts.share_url, qr)

    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()
