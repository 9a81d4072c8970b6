"""Bytes in, renditions out: pure Pillow, no database, no storage.

``render(data, widths=...)`` opens an original that passed ``validation.check_upload`` and
returns WebP and JPEG renditions that are upright (EXIF orientation applied), sRGB, and carry
no metadata at all: no EXIF (so no GPS position), no ICC profile, no XMP, no comments.

Speed: a JPEG is decoded at the smallest DCT scale that still covers the largest rendition
(``draft``); the first resize happens before anything else (big originals are box-reduced by an
integer factor first), and each smaller rendition is resized from the next larger one
(progressive downscaling).
"""

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from PIL import ExifTags, ImageCms
from PIL import Image as PILImage

PIPELINE_VERSION = 1  # bump when the output changes, then run `manage.py rerender_images`
WEBP_OPTIONS = {"quality": 80, "method": 4}
JPEG_OPTIONS = {"quality": 82, "optimize": True, "progressive": True, "subsampling": "4:2:0"}
FORMATS = ("webp", "jpeg")

DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, zlib.error)
ROTATED_ORIENTATIONS = {5, 6, 7, 8}
# EXIF orientation -> the transposition that makes the photo upright (ImageOps.exif_transpose's
# table; applied by hand so it can run after the first, big resize).
EXIF_TRANSPOSE = {
    2: PILImage.Transpose.FLIP_LEFT_RIGHT,
    3: PILImage.Transpose.ROTATE_180,
    4: PILImage.Transpose.FLIP_TOP_BOTTOM,
    5: PILImage.Transpose.TRANSPOSE,
    6: PILImage.Transpose.ROTATE_270,
    7: PILImage.Transpose.TRANSVERSE,
    8: PILImage.Transpose.ROTATE_90,
}
RESIZABLE_MODES = {"RGB", "RGBA", "L", "LA", "CMYK"}
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class PipelineError(Exception):
    """The original cannot be turned into renditions; trying again will not help."""


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    format: str  # "webp" or "jpeg"
    data: bytes


@dataclass(frozen=True)
class Rendered:
    width: int  # the upright original's size
    height: int
    dominant_color: str  # "#rrggbb"
    renditions: list[Rendition]


def spec(widths: Sequence[int]) -> str:
    """Identifies the renditions an image has: same spec, same files (the task is a no-op)."""
    return f"v{PIPELINE_VERSION}:{','.join(str(w) for w in sorted(widths))}:{','.join(FORMATS)}"


def target_widths(width: int, widths: Sequence[int]) -> list[int]:
    """Configured widths not wider than the original, widest first; at least one."""
    fitting = sorted((w for w in set(widths) if w <= width), reverse=True)
    return fitting or [width]


def render(data: bytes, *, widths: Sequence[int]) -> Rendered:
    try:
        return _render(data, widths)
    except PILImage.DecompressionBombError as exc:
        raise PipelineError(f"too many pixels: {exc}") from exc
    except DECODE_ERRORS as exc:
        raise PipelineError(f"{exc.__class__.__name__}: {exc}") from exc


def _render(data: bytes, widths: Sequence[int]) -> Rendered:
    image = PILImage.open(BytesIO(data), formats=["JPEG", "PNG", "WEBP"])
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    stored_width, stored_height = image.size
    rotated = orientation in ROTATED_ORIENTATIONS
    if rotated:
        upright_width, upright_height = stored_height, stored_width
    else:
        upright_width, upright_height = stored_width, stored_height
    targets = target_widths(upright_width, widths)
    scale = targets[0] / upright_width

    if image.format == "JPEG":
        # libjpeg decodes straight to 1/2, 1/4 or 1/8 size, never below the requested size.
        image.draft(None, (round(stored_width * scale), round(stored_height * scale)))
    image.load()
    if image.mode not in RESIZABLE_MODES:
        image = to_srgb(image)  # palette, 16-bit, 1-bit …: to 8 bits before resampling

    # Shrink to the largest rendition while the photo still lies on its side, so turning it
    # upright and converting its colours work on a quarter of the pixels, not all 12 MP.
    first_height = max(1, round(upright_height * targets[0] / upright_width))
    size = (first_height, targets[0]) if rotated else (targets[0], first_height)
    if image.size != size:
        # Premultiplied for alpha; reducing_gap box-filters big originals by an integer factor
        # first, then Lanczos does the rest.
        image = image.resize(size, PILImage.Resampling.LANCZOS, reducing_gap=3.0)
    if transpose := EXIF_TRANSPOSE.get(orientation):
        image = image.transpose(transpose)
    image = to_srgb(image)

    renditions = []
    current = image
    for width in targets:
        height = max(1, round(upright_height * width / upright_width))
        if current.size != (width, height):
            current = current.resize((width, height), PILImage.Resampling.LANCZOS)
        for fmt in FORMATS:
            renditions.append(Rendition(width, height, fmt, encode(current, fmt)))
    return Rendered(
        width=upright_width,
        height=upright_height,
        dominant_color=dominant_color(current),
        renditions=renditions,
    )


def to_srgb(image: PILImage.Image) -> PILImage.Image:
    """RGB, or RGBA when some pixel is see-through, in sRGB; the embedded profile is honoured."""
    icc = image.info.get("icc_profile")
    mode = image.mode
    if mode.startswith("I;16") or mode == "I":
        image = image.point(lambda value: value / 256).convert("L")  # 16-bit grey -> 8-bit
    elif mode == "F" or mode == "1":
        image = image.convert("L")
    elif mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    elif mode in ("La", "RGBa"):
        image = image.convert({"La": "LA", "RGBa": "RGBA"}[mode])

    alpha = None
    if image.mode in ("RGBA", "LA"):
        alpha = image.getchannel("A")
        image = image.convert("RGB" if image.mode == "RGBA" else "L")
    elif image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")

    converted = None
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(BytesIO(icc))
            converted = ImageCms.profileToProfile(
                image,
                source,
                SRGB,
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                outputMode="RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None  # a broken or mismatched profile: fall back to plain conversion
    image = converted if converted is not None else image.convert("RGB")

    if alpha is not None and alpha.getextrema()[0] < 255:
        image.putalpha(alpha)
    image.info = {}
    return image


def encode(image: PILImage.Image, fmt: str) -> bytes:
    """WebP keeps transparency; JPEG gets it flattened on white. Nothing but pixels is written."""
    if fmt == "jpeg" and image.mode == "RGBA":
        flat = PILImage.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    image.info = {}  # no EXIF, ICC profile, XMP or comment rides along from the original
    buffer = BytesIO()
    if fmt == "webp":
        image.save(buffer, "WEBP", exif=b"", xmp="", icc_profile="", **WEBP_OPTIONS)
    else:
        image.save(buffer, "JPEG", exif=b"", **JPEG_OPTIONS)
    return buffer.getvalue()


def dominant_color(image: PILImage.Image) -> str:
    """The most common of a few colours of a thumbnail, as "#rrggbb"."""
    thumb = image.copy()
    thumb.thumbnail((64, 64))
    if thumb.mode == "RGBA":
        flat = PILImage.new("RGB", thumb.size, (255, 255, 255))
        flat.paste(thumb, mask=thumb.getchannel("A"))
        thumb = flat
    palette_image = thumb.convert("RGB").quantize(colors=5, method=PILImage.Quantize.MEDIANCUT)
    count_index = max(palette_image.getcolors() or [(1, 0)])
    palette = palette_image.getpalette() or [0, 0, 0]
    red, green, blue = palette[count_index[1] * 3 : count_index[1] * 3 + 3]
    return f"#{red:02x}{green:02x}{blue:02x}"
