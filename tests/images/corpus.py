"""Files for the upload tests, all made here with Pillow or by hand: nothing is downloaded.

``BAD``: files every upload must refuse with a clear message (``code`` is the ValidationError
code, ``says`` a piece of the message the user reads). ``GOOD``: awkward but genuine photos
that must be accepted and come out upright, sRGB and without metadata.

Sizes are chosen for the strictest purpose used in the tests (avatar: 128 px, product: 600 px).
"""

import random
import struct
import zlib
from dataclasses import dataclass
from functools import cache
from io import BytesIO

from PIL import Image, ImageCms, ImageDraw

MB = 1024 * 1024


@dataclass(frozen=True)
class BadFile:
    id: str
    filename: str  # what the browser claims: always a plausible photo name
    make: object  # () -> bytes
    code: str
    says: str

    @property
    def data(self) -> bytes:
        return _data(self.id, self.make)


@dataclass(frozen=True)
class GoodFile:
    id: str
    filename: str
    make: object
    width: int  # upright size, after the EXIF orientation
    height: int
    format: str

    @property
    def data(self) -> bytes:
        return _data(self.id, self.make)


_cache: dict[str, bytes] = {}


def _data(key: str, make) -> bytes:
    if key not in _cache:
        _cache[key] = make()
    return _cache[key]


# --- Helpers ------------------------------------------------------------------------------


def photo(width: int, height: int, mode: str = "RGB", seed: int = 1) -> Image.Image:
    """Something photo-like: smooth gradients, a few shapes and sensor noise."""
    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((width, height))
    other = Image.radial_gradient("L").resize((width, height))
    image = Image.merge("RGB", (base, other, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(max(2, min(width, height) // 10), max(3, min(width, height) // 4))
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    noise = Image.effect_noise((width, height), 12).convert("RGB")
    image = Image.blend(image, noise, 0.08)
    return image.convert(mode) if mode != "RGB" else image


def save(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def jpeg(width=800, height=600, quality=90, **options) -> bytes:
    return save(photo(width, height), "JPEG", quality=quality, **options)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_declaring(width: int, height: int) -> bytes:
    """A few KB of valid PNG structure whose header claims ``width × height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + png_chunk(b"IEND", b"")
    )


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small real JPEG with its frame header patched to claim ``width × height``."""
    data = bytearray(jpeg(64, 64))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def frames(count: int, size=(300, 300)) -> list[Image.Image]:
    return [Image.new("RGB", size, (i * 40 % 256, 80, 160)) for i in range(count)]


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[0x0110] = "iPhone 15"  # Model
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (39.0, 54.0, 26.0)  # Beijing: nobody's home address must ever leak
    gps[3] = "E"
    gps[4] = (116.0, 23.0, 29.0)
    return exif


SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
RED = (220, 30, 30)


def rotated_jpeg_with_gps() -> bytes:
    """Upright 900 × 1200 with a red top-left corner, stored on its side (EXIF orientation 6)
    with GPS, camera make, an ICC profile, XMP and a comment."""
    upright = photo(900, 1200, seed=7)
    ImageDraw.Draw(upright).rectangle((0, 0, 200, 200), fill=RED)
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # orientation 6 turns it back
    return save(
        stored,
        "JPEG",
        quality=90,
        exif=gps_exif(orientation=6),
        icc_profile=SRGB_ICC,
        comment=b"shot at home",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>39,54N</exif:GPSLatitude>'
        b"</x:xmpmeta>",
    )


def palette_png_with_transparency() -> bytes:
    image = Image.new("P", (700, 700), 0)
    image.putpalette([255, 255, 255, 200, 40, 40, 30, 90, 200] + [0] * (256 * 3 - 9))
    draw = ImageDraw.Draw(image)
    draw.ellipse((100, 100, 600, 600), fill=1)
    draw.rectangle((300, 300, 400, 400), fill=2)
    return save(image, "PNG", transparency=0)


def sixteen_bit_png() -> bytes:
    gradient = Image.linear_gradient("L").resize((900, 700)).convert("I")
    image = gradient.point(lambda v: v * 200).convert("I;16")  # 0 … 51000 of 65535
    return save(image, "PNG")


def cmyk_jpeg() -> bytes:
    return save(photo(1000, 800, seed=3).convert("CMYK"), "JPEG", quality=90)


def grey_alpha_png() -> bytes:
    grey = photo(640, 480, seed=5).convert("L")
    alpha = Image.new("L", grey.size, 0)
    ImageDraw.Draw(alpha).ellipse((40, 40, 600, 440), fill=255)
    return save(Image.merge("LA", (grey, alpha)), "PNG")


def heic_header() -> bytes:
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 2000


def psd() -> bytes:
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, 600, 800, 8, 3)
    return header + b"\x00" * 4000


def eps() -> bytes:
    return (
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 800 600\n"
        b"newpath 0 0 moveto 800 600 lineto stroke showpage\n%%EOF\n"
    )


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="800" '
        b'height="800"><script>alert(document.cookie)</script><rect width="800" height="800"/>'
        b"</svg>"
    )


def gif_html_polyglot() -> bytes:
    gif = save(Image.new("RGB", (800, 800), "green"), "GIF")
    return gif + b"<html><body><script>alert(document.cookie)</script></body></html>"


def truncated(data: bytes, keep: float) -> bytes:
    return data[: int(len(data) * keep)]


# --- The corpus ---------------------------------------------------------------------------

BAD = [
    BadFile("empty", "photo.jpg", lambda: b"", "empty", "The file is empty"),
    BadFile(
        "text-renamed-jpg",
        "photo.jpg",
        lambda: b"Dear buyer, this is not a photo at all.\n" * 20,
        "unsupported",
        "This file is a text file",
    ),
    BadFile(
        "html-renamed-jpg",
        "photo.jpg",
        lambda: b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        "unsupported",
        "This file is a web page",
    ),
    BadFile(
        "truncated-jpeg-half",
        "photo.jpg",
        lambda: truncated(jpeg(1200, 900), 0.5),
        "damaged",
        "looks like a JPEG photo but is damaged or incomplete",
    ),
    BadFile(
        "truncated-jpeg-headers-only",
        "photo.jpg",
        lambda: jpeg(1200, 900)[:700],
        "damaged",
        "damaged or incomplete",
    ),
    BadFile(
        "truncated-png",
        "photo.png",
        lambda: truncated(save(photo(900, 700), "PNG"), 0.6),
        "damaged",
        "looks like a PNG photo but is damaged",
    ),
    BadFile(
        "png-signature-then-garbage",
        "photo.png",
        lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        "damaged",
        "damaged or incomplete",
    ),
    BadFile(
        "webp-header-then-garbage",
        "photo.webp",
        lambda: b"RIFF" + struct.pack("<I", 4000) + b"WEBPVP8 " + b"\x13" * 4000,
        "damaged",
        "looks like a WebP photo",
    ),
    BadFile(
        "png-100-megapixels-in-a-few-kb",
        "photo.png",
        lambda: png_declaring(10_000, 10_000),
        "too_many_pixels",
        "megapixels",
    ),
    BadFile(
        "png-48-megapixels",
        "photo.png",
        lambda: png_declaring(8_000, 6_000),
        "too_many_pixels",
        "8000 × 6000 pixels (48 megapixels); the limit is 40 megapixels",
    ),
    BadFile(
        "jpeg-declaring-900-megapixels",
        "photo.jpg",
        lambda: jpeg_declaring(30_000, 30_000),
        "too_many_pixels",
        "the limit of 40 megapixels",
    ),
    BadFile(
        "gif-html-polyglot",
        "photo.jpg",
        gif_html_polyglot,
        "unsupported",
        "This file is a GIF image",
    ),
    BadFile(
        "many-frame-gif",
        "photo.gif",
        lambda: save(frames(30)[0], "GIF", save_all=True, append_images=frames(30)[1:]),
        "unsupported",
        "GIF image",
    ),
    BadFile(
        "svg-with-script",
        "photo.jpg",
        svg_with_script,
        "unsupported",
        "This file is an SVG drawing",
    ),
    BadFile(
        "pdf-renamed-jpg",
        "photo.jpg",
        lambda: save(photo(800, 800), "PDF"),
        "unsupported",
        "This file is a PDF document",
    ),
    BadFile("eps-renamed-jpg", "photo.jpg", eps, "unsupported", "PostScript (EPS)"),
    BadFile("psd-renamed-jpg", "photo.jpg", psd, "unsupported", "Photoshop (PSD)"),
    BadFile(
        "tiff-renamed-jpg",
        "photo.jpg",
        lambda: save(photo(800, 800), "TIFF"),
        "unsupported",
        "This file is a TIFF image",
    ),
    BadFile(
        "bmp-renamed-png",
        "photo.png",
        lambda: save(photo(800, 800), "BMP"),
        "unsupported",
        "This file is a BMP image",
    ),
    BadFile(
        "avif-renamed-jpg",
        "photo.jpg",
        lambda: save(photo(800, 800), "AVIF"),
        "unsupported",
        "This file is an AVIF image",
    ),
    BadFile("heic-from-an-iphone", "IMG_0001.jpg", heic_header, "heic", "Most Compatible"),
    BadFile(
        "zip-renamed-jpg",
        "photo.jpg",
        lambda: b"PK\x03\x04" + b"\x00" * 600,
        "unsupported",
        "ZIP archive",
    ),
    BadFile(
        "over-10-mb",
        "photo.jpg",
        lambda: jpeg(800, 800) + b"\x00" * (10 * MB),
        "too_large",
        "photos can be at most 10 MB",
    ),
    BadFile(
        "strip-20000x1",
        "photo.png",
        lambda: save(Image.new("RGB", (20_000, 1), "white"), "PNG"),
        "aspect",
        "too long and thin",
    ),
    BadFile(
        "strip-3000x500",
        "photo.jpg",
        lambda: jpeg(3000, 500),
        "aspect",
        "at most 5 times the short side",
    ),
    BadFile(
        "animated-png",
        "photo.png",
        lambda: save(frames(3)[0], "PNG", save_all=True, append_images=frames(3)[1:]),
        "animated",
        "Animated images cannot be uploaded",
    ),
    BadFile(
        "animated-webp",
        "photo.webp",
        lambda: save(frames(3)[0], "WEBP", save_all=True, append_images=frames(3)[1:]),
        "animated",
        "Animated images cannot be uploaded",
    ),
    BadFile(
        "tiny-100x80",
        "photo.jpg",
        lambda: jpeg(100, 80),
        "too_small",
        "on the short side",
    ),
]

GOOD = [
    GoodFile("rotated-jpeg-with-gps", "IMG_2040.JPG", rotated_jpeg_with_gps, 900, 1200, "jpeg"),
    GoodFile("cmyk-jpeg", "print.jpg", cmyk_jpeg, 1000, 800, "jpeg"),
    GoodFile("sixteen-bit-png", "scan.png", sixteen_bit_png, 900, 700, "png"),
    GoodFile(
        "palette-png-with-transparency", "logo.png", palette_png_with_transparency, 700, 700, "png"
    ),
    GoodFile(
        "greyscale-jpeg",
        "grey.jpg",
        lambda: save(photo(800, 600).convert("L"), "JPEG"),
        800,
        600,
        "jpeg",
    ),
    GoodFile("grey-with-alpha-png", "cutout.png", grey_alpha_png, 640, 480, "png"),
    GoodFile(
        "webp",
        "photo.webp",
        lambda: save(photo(1800, 1200), "WEBP", quality=85),
        1800,
        1200,
        "webp",
    ),
    GoodFile(
        "small-avatar-200", "me.jpg", lambda: jpeg(200, 200), 200, 200, "jpeg"
    ),  # narrower than every rendition width: one rendition at its own width
]


@cache
def bad_by_id() -> dict[str, BadFile]:
    return {item.id: item for item in BAD}


@cache
def good_by_id() -> dict[str, GoodFile]:
    return {item.id: item for item in GOOD}
