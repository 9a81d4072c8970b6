from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# Numbers with correct check characters (the example ID number of GB 11643, a real-format USCC).
ID_NUMBER = "11010519491231002X"
LICENCE = "91350100M000100Y43"


def png_bytes(width: int = 300, height: int = 300, colour=(13, 92, 87)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def logo_upload():
    return SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
