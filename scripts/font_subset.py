"""Make the poster font: a subset of WenQuanYi Micro Hei for share posters.

The share posters (``microstore/sharing/poster.py``) draw Chinese text with Pillow, so the
project ships a font that has the glyphs: WenQuanYi Micro Hei (Apache-2.0, see
``microstore/sharing/fonts/LICENSE-WenQuanYi.txt``), cut down to what a poster needs:

- ASCII and Latin-1 (U+0020-U+00FF), general punctuation (U+2000-U+206F),
  CJK symbols and punctuation (U+3000-U+303F), full-width forms (U+FF00-U+FFEF), the yen/yuan
  sign and a few symbols the layout draws (ellipsis, check mark, middle dot);
- every character of GB2312 (levels 1 and 2: 6,763 hanzi plus its symbols), found by decoding
  every valid two-byte GB2312 code with Python's ``gb2312`` codec.

Characters outside the subset still render at run time through the system fonts listed after
it in ``SHARE_POSTER_FONTS`` (a per-character fallback).

Re-run (needs fontTools, which is not a project dependency, and the Debian font package)::

    apt-get install fonts-wqy-microhei
    pip install --target /tmp/pylib fonttools
    PYTHONPATH=/tmp/pylib python scripts/font_subset.py

It overwrites ``microstore/sharing/fonts/WenQuanYiMicroHei-subset.ttf``; the output is the
same for the same source font. Pass ``--source`` or ``--output`` to change the paths.
"""

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
OUTPUT = Path(__file__).resolve().parent.parent / (
    "microstore/sharing/fonts/WenQuanYiMicroHei-subset.ttf"
)

RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (includes the yen sign U+00A5)
    (0x2000, 0x206F),  # general punctuation (includes the ellipsis U+2026)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # half-width and full-width forms (includes U+FFE5, full-width yen)
]
EXTRA = "¥￥✓✔·•"


def gb2312_characters() -> set[str]:
    """Every character GB2312 encodes in two bytes: rows 0xA1-0xF7, cells 0xA1-0xFE."""
    found = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                found.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def wanted() -> set[int]:
    chars = gb2312_characters() | set(EXTRA)
    codepoints = {ord(c) for c in chars}
    for start, end in RANGES:
        codepoints.update(range(start, end + 1))
    return codepoints


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()

    font = TTCollection(str(args.source)).fonts[0]  # 0: the proportional face; 1 is Mono
    cmap = font.getBestCmap()
    codepoints = sorted(cp for cp in wanted() if cp in cmap)

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True  # keep the missing-glyph box: the renderer compares with it
    options.glyph_names = False
    options.hinting = False  # posters are drawn large; hints only add bytes
    options.desubroutinize = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    font.recalcTimestamp = False  # same source, same bytes
    font.save(str(args.output))
    print(f"{args.output}: {len(codepoints)} characters, {args.output.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
