from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png_bytes(width: int = 300, height: int = 300, colour=(13, 92, 87)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def logo_upload():
    return SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
