import struct
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from microstore.images.models import Image, Purpose
from microstore.images.services import image_create
from microstore.images.storage import private_storage


@pytest.fixture
def make_image(django_capture_on_commit_callbacks, owner):
    """An image created through the real service; processed by the real task unless
    ``process=False`` (then it stays pending, as if the worker had not got to it yet)."""

    def make(data: bytes, *, user=None, purpose=Purpose.AVATAR, process=True) -> Image:
        with django_capture_on_commit_callbacks(execute=process):
            image = image_create(
                upload=SimpleUploadedFile("upload.jpg", data),
                purpose=purpose,
                owner=user or owner,
            )
        image.refresh_from_db()
        return image

    return make


def stored_files(storage, top: str = "") -> set[str]:
    """Every file under ``top`` in a storage, through the storage API."""
    if not storage.exists(top or "."):
        return set()
    directories, files = storage.listdir(top)
    names = {f"{top}/{name}" if top else name for name in files}
    for directory in directories:
        names |= stored_files(storage, f"{top}/{directory}" if top else directory)
    return names


def rendition_files() -> set[str]:
    return stored_files(default_storage)


def private_files() -> set[str]:
    return stored_files(private_storage)


def read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


# --- Metadata: look at the container itself, not only at what Pillow chooses to show -------


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the start of the scan."""
    assert data[:2] == b"\xff\xd8"
    markers, position = [], 2
    while position < len(data):
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: only pixel data follows
            break
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length
    return markers


def webp_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, position = [], 12
    while position + 8 <= len(data):
        kind = data[position : position + 4]
        (length,) = struct.unpack("<I", data[position + 4 : position + 8])
        chunks.append(kind)
        position += 8 + length + (length & 1)
    return chunks


def assert_no_metadata(data: bytes) -> None:
    image = PILImage.open(BytesIO(data))
    assert not image.getexif(), "EXIF survived"
    for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"):
        assert key not in image.info, f"{key} survived"
    if image.format == "JPEG":
        markers = jpeg_segments(data)
        # Only APP0 (JFIF), quantisation and Huffman tables, frame header: no APP1 (EXIF, XMP),
        # APP2 (ICC), APP13 (IPTC) or COM (comment).
        assert not {0xE1, 0xE2, 0xED, 0xFE} & set(markers), [hex(m) for m in markers]
    else:
        assert set(webp_chunks(data)) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}, webp_chunks(data)
    for secret in (b"Exif", b"ICC_PROFILE", b"xmpmeta", b"iPhone", b"shot at home", b"Apple"):
        assert secret not in data[:4096], secret
