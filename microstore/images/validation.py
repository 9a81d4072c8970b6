"""Synchronous upload checks: fast, decided by the bytes, with a message a seller understands.

``check_upload(upload, purpose=...)`` runs, in this order, and stops at the first problem:

1. empty file;
2. file size over ``IMAGE_MAX_UPLOAD_BYTES``;
3. magic bytes: JPEG, PNG or WebP only (HEIC gets a hint on how to get a JPEG from an iPhone;
   GIF, SVG, PDF, EPS, PSD, BMP, TIFF, AVIF, text … are named and refused);
4. ``Image.open(formats=[that format])`` must agree (a PNG signature on a broken file is refused);
5. declared pixel count over ``IMAGE_MAX_PIXELS``, before any pixel is decoded;
6. animation (APNG, animated WebP);
7. long-and-thin strips (``IMAGE_MAX_ASPECT``);
8. the purpose's minimum short side (``IMAGE_MIN_SHORT_SIDE``);
9. a real decode (a JPEG at 1/8 scale through ``draft``), so truncated or corrupt files are
   caught here and never reach the task.

The file name and the browser's content type are never consulted.
"""

import struct
import warnings
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, ImageFile
from PIL import Image as PILImage

from microstore.images.models import Format, Purpose

# Pillow format names for the formats we accept.
PILLOW_FORMATS = {Format.JPEG: "JPEG", Format.PNG: "PNG", Format.WEBP: "WEBP"}

# Everything Pillow may raise on a hostile or damaged file (UnidentifiedImageError is an
# OSError). Anything else is a bug in our code and should be seen as one.
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, zlib.error)

HEAD_BYTES = 512
ROTATED_ORIENTATIONS = {5, 6, 7, 8}  # EXIF orientations that swap width and height

HEIF_BRANDS = {
    b"heic",
    b"heix",
    b"hevc",
    b"hevx",
    b"heim",
    b"heis",
    b"hevm",
    b"hevs",
    b"mif1",
    b"msf1",
}
AVIF_BRANDS = {b"avif", b"avis"}

MIN_SIZE_MESSAGES = {
    Purpose.PRODUCT: _(
        "Product photos need at least %(min)s px on the short side so buyers can see detail; "
        "this one is %(width)s × %(height)s."
    ),
    Purpose.REVIEW: _(
        "Review photos need at least %(min)s px on the short side so other buyers can see "
        "what you received; this one is %(width)s × %(height)s."
    ),
    Purpose.RETURN: _(
        "Return photos need at least %(min)s px on the short side so the seller can see "
        "what is wrong; this one is %(width)s × %(height)s."
    ),
    Purpose.UPDATE: _(
        "Photos in stall updates need at least %(min)s px on the short side so followers can "
        "see them well; this one is %(width)s × %(height)s."
    ),
    Purpose.SHOP_LOGO: _(
        "Stall logos need at least %(min)s px on the short side so they stay sharp on every "
        "screen; this one is %(width)s × %(height)s."
    ),
    Purpose.SHOP_BANNER: _(
        "Stall banners need at least %(min)s px on the short side so they stay sharp across "
        "a wide screen; this one is %(width)s × %(height)s."
    ),
    Purpose.AVATAR: _(
        "Profile photos need at least %(min)s px on the short side so your face stays "
        "sharp; this one is %(width)s × %(height)s."
    ),
}

ONLY_PHOTOS = _("Only JPEG, PNG or WebP photos can be uploaded.")


@dataclass(frozen=True)
class CheckedImage:
    """What ``check_upload`` learnt about a file it accepted."""

    format: str  # a Format value
    purpose: str
    width: int  # upright, i.e. after the EXIF orientation is applied
    height: int
    size: int  # bytes


def configure_pillow() -> None:
    """Pillow's decompression-bomb limit is our pixel cap; truncated files are never loaded."""
    PILImage.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
    ImageFile.LOAD_TRUNCATED_IMAGES = False


@receiver(setting_changed)
def _reconfigure_pillow(*, setting, **kwargs):
    if setting == "IMAGE_MAX_PIXELS":
        configure_pillow()


def min_short_side(purpose: str) -> int:
    return settings.IMAGE_MIN_SHORT_SIDE.get(purpose, 0)


def megabytes(size: int) -> str:
    """10485760 -> "10", 10500000 -> "10.1" (MB as 1024 × 1024 bytes, rounded up)."""
    tenths = -(-size * 10 // (1024 * 1024))
    return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths / 10:.1f}"


def sniff(head: bytes) -> str | None:
    """The accepted format the bytes start with, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return Format.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Format.PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Format.WEBP
    return None


def _what_else(head: bytes):
    """A name for a file we do not accept, for the error message; None if unknown."""
    if head[4:8] == b"ftyp":
        brands = {head[i : i + 4] for i in range(8, min(len(head), 64), 4)}
        if brands & AVIF_BRANDS:
            return _("an AVIF image")
        if brands & HEIF_BRANDS:
            return "heif"
        return _("a video")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    known = [
        ((b"GIF87a", b"GIF89a"), _("a GIF image")),
        ((b"%PDF",), _("a PDF document")),
        ((b"8BPS",), _("a Photoshop (PSD) file")),
        ((b"%!PS", b"\xc5\xd0\xd3\xc6"), _("a PostScript (EPS) file")),
        ((b"II*\x00", b"MM\x00*"), _("a TIFF image")),
        ((b"BM",), _("a BMP image")),
        ((b"\x00\x00\x01\x00",), _("an icon file")),
        ((b"\x00\x00\x00\x0cjP  ", b"\xff\x4f\xff\x51"), _("a JPEG 2000 image")),
        ((b"PK\x03\x04",), _("a ZIP archive or office document")),
    ]
    for signatures, name in known:
        if head.startswith(signatures):
            return name
    if text.startswith(b"<"):
        if b"<svg" in text:
            return _("an SVG drawing")
        if b"<html" in text or b"<!doctype html" in text:
            return _("a web page")
        return _("an XML file")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _("a text file")


def _refuse_unsupported(head: bytes):
    kind = _what_else(head)
    if kind == "heif":
        raise ValidationError(
            _(
                "This is a HEIC photo, the iPhone's own format, which browsers cannot show. "
                "Please upload it as JPEG: on the iPhone choose Settings › Camera › Formats › "
                "Most Compatible, or share the photo as JPEG, and try again."
            ),
            code="heic",
        )
    if kind is None:
        raise ValidationError(ONLY_PHOTOS, code="unsupported")
    raise ValidationError(
        _("This file is %(kind)s. Only JPEG, PNG or WebP photos can be uploaded."),
        code="unsupported",
        params={"kind": kind},
    )


def _damaged(fmt: str) -> ValidationError:
    return ValidationError(
        _(
            "This file looks like a %(format)s photo but is damaged or incomplete, so it cannot "
            "be read. Please export or save the photo again and upload the new file."
        ),
        code="damaged",
        params={"format": Format(fmt).label},
    )


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    limit = settings.IMAGE_MAX_PIXELS / 1_000_000
    if width and height:
        return ValidationError(
            _(
                "This photo is %(width)s × %(height)s pixels (%(mp)s megapixels); the limit is "
                "%(limit)g megapixels. Please upload a smaller version."
            ),
            code="too_many_pixels",
            params={
                "width": width,
                "height": height,
                "mp": f"{round(width * height / 1e6, 1):g}",
                "limit": limit,
            },
        )
    return ValidationError(
        _(
            "This photo has far more pixels than the limit of %(limit)g megapixels. Please "
            "upload a smaller version."
        ),
        code="too_many_pixels",
        params={"limit": limit},
    )


def _file_size(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    return size


def check_upload(upload, *, purpose: str) -> CheckedImage:
    """Accept a photo for ``purpose`` or raise ``ValidationError`` saying what is wrong."""
    size = _file_size(upload)
    if not size:
        raise ValidationError(_("The file is empty. Please choose the photo again."), code="empty")
    limit = settings.IMAGE_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            _("This file is %(size)s MB; photos can be at most %(limit)s MB."),
            code="too_large",
            params={"size": megabytes(size), "limit": megabytes(limit)},
        )

    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    fmt = sniff(head)
    if fmt is None:
        _refuse_unsupported(head)

    try:
        with warnings.catch_warnings():
            # Pillow warns between 1× and 2× MAX_IMAGE_PIXELS; we refuse those below, by name.
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            image = PILImage.open(upload, formats=[PILLOW_FORMATS[fmt]])
        with image:
            width, height = image.size
            if width * height > settings.IMAGE_MAX_PIXELS:
                raise _too_many_pixels(width, height)
            if getattr(image, "n_frames", 1) > 1:
                raise ValidationError(
                    _("Animated images cannot be uploaded; please upload a still photo."),
                    code="animated",
                )
            if image.getexif().get(ExifTags.Base.Orientation) in ROTATED_ORIENTATIONS:
                width, height = height, width
            _check_shape(width, height, purpose)
            if fmt == Format.JPEG:
                # Decoding at 1/8 scale reads every byte (so truncation shows) ~10× faster.
                stored_width, stored_height = image.size
                image.draft(None, (max(1, stored_width // 8), max(1, stored_height // 8)))
            image.load()
    except PILImage.DecompressionBombError:
        raise _too_many_pixels() from None
    except DECODE_ERRORS:
        raise _damaged(fmt) from None
    finally:
        upload.seek(0)
    return CheckedImage(format=fmt, purpose=purpose, width=width, height=height, size=size)


def _check_shape(width: int, height: int, purpose: str) -> None:
    short, long = sorted((width, height))
    if long > short * settings.IMAGE_MAX_ASPECT:
        raise ValidationError(
            _(
                "This picture is %(width)s × %(height)s pixels: too long and thin to show well. "
                "The long side may be at most %(ratio)s times the short side; please crop it."
            ),
            code="aspect",
            params={"width": width, "height": height, "ratio": settings.IMAGE_MAX_ASPECT},
        )
    minimum = min_short_side(purpose)
    if short < minimum:
        raise ValidationError(
            MIN_SIZE_MESSAGES.get(
                purpose,
                _(
                    "Photos need at least %(min)s px on the short side; "
                    "this one is %(width)s × %(height)s."
                ),
            ),
            code="too_small",
            params={"min": minimum, "width": width, "height": height},
        )
