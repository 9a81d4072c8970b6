"""Uploads are judged by their bytes, synchronously, with a message a seller understands."""

import time

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import ImageFile

from microstore.images.forms import ImageUploadField
from microstore.images.models import Purpose
from tests.images.corpus import BAD, GOOD, bad_by_id, jpeg, photo, save


def clean(data: bytes, *, purpose=Purpose.PRODUCT, filename="photo.jpg"):
    field = ImageUploadField(purpose=purpose)
    return field.clean(SimpleUploadedFile(filename, data, content_type="image/jpeg"))


def test_the_bad_corpus_covers_what_the_issue_lists():
    required = {
        "png-100-megapixels-in-a-few-kb",
        "empty",
        "truncated-jpeg-half",
        "text-renamed-jpg",
        "gif-html-polyglot",
        "svg-with-script",
        "pdf-renamed-jpg",
        "eps-renamed-jpg",
        "psd-renamed-jpg",
        "over-10-mb",
        "strip-20000x1",
        "many-frame-gif",
    }
    assert len(BAD) >= 20
    assert required <= set(bad_by_id())
    assert len(bad_by_id()["png-100-megapixels-in-a-few-kb"].data) < 10_000


@pytest.mark.parametrize("bad", BAD, ids=lambda bad: bad.id)
def test_the_field_refuses_every_bad_file_quickly_and_says_why(bad):
    data = bad.data
    started = time.perf_counter()

    with pytest.raises(forms.ValidationError) as refused:
        clean(data, filename=bad.filename)

    assert time.perf_counter() - started < 1.0
    assert refused.value.code == bad.code
    assert bad.says in " ".join(refused.value.messages)


@pytest.mark.parametrize("good", GOOD, ids=lambda good: good.id)
def test_awkward_real_photos_are_accepted_with_their_upright_size(good):
    upload = clean(good.data, purpose=Purpose.AVATAR, filename=good.filename)

    assert upload.checked.format == good.format
    assert (upload.checked.width, upload.checked.height) == (good.width, good.height)
    assert upload.checked.size == len(good.data)
    assert upload.tell() == 0  # ready to be stored


def test_the_file_name_decides_nothing():
    assert clean(jpeg(800, 800), filename="photo.gif").checked.format == "jpeg"
    assert clean(jpeg(800, 800), filename="setup.exe").checked.format == "jpeg"
    with pytest.raises(forms.ValidationError):
        clean(bad_by_id()["pdf-renamed-jpg"].data, filename="photo.jpeg")


def test_the_minimum_size_message_says_why_with_the_numbers():
    with pytest.raises(forms.ValidationError) as refused:
        clean(jpeg(480, 320), purpose=Purpose.PRODUCT)

    assert refused.value.messages == [
        "Product photos need at least 600 px on the short side so buyers can see detail; "
        "this one is 480 × 320."
    ]


def test_each_purpose_has_its_own_minimum(settings):
    small_square = jpeg(300, 300)

    assert clean(small_square, purpose=Purpose.AVATAR).checked.width == 300
    assert clean(small_square, purpose=Purpose.SHOP_LOGO).checked.width == 300
    for purpose in (Purpose.PRODUCT, Purpose.REVIEW, Purpose.SHOP_BANNER):
        with pytest.raises(forms.ValidationError) as refused:
            clean(small_square, purpose=purpose)
        assert refused.value.code == "too_small"

    settings.IMAGE_MIN_SHORT_SIDE = {**settings.IMAGE_MIN_SHORT_SIDE, "avatar": 400}
    with pytest.raises(forms.ValidationError, match="Profile photos need at least 400 px"):
        clean(small_square, purpose=Purpose.AVATAR)


def test_the_limits_come_from_settings(settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 50_000
    settings.IMAGE_MAX_PIXELS = 500_000
    with pytest.raises(forms.ValidationError, match=r"at most 0\.1 MB"):
        clean(save(photo(800, 800), "PNG"))
    with pytest.raises(forms.ValidationError) as refused:
        clean(jpeg(1000, 800, quality=30))
    assert refused.value.messages == [
        "This photo is 1000 × 800 pixels (0.8 megapixels); the limit is 0.5 megapixels. "
        "Please upload a smaller version."
    ]
    assert PILImage.MAX_IMAGE_PIXELS == 500_000


def test_pillow_shares_our_pixel_cap_and_never_loads_truncated_files(settings):
    assert PILImage.MAX_IMAGE_PIXELS == settings.IMAGE_MAX_PIXELS == 40_000_000
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_heic_photos_get_a_hint_for_iphone_users():
    with pytest.raises(forms.ValidationError) as refused:
        clean(bad_by_id()["heic-from-an-iphone"].data)

    message = refused.value.messages[0]
    assert "HEIC" in message
    assert "Settings › Camera › Formats › Most Compatible" in message


def test_the_field_offers_only_photos_to_the_file_picker_and_explains_the_limits():
    field = ImageUploadField(purpose=Purpose.PRODUCT)

    assert field.widget.attrs["accept"] == "image/jpeg,image/png,image/webp"
    assert str(field.help_text) == (
        "A JPEG, PNG or WebP photo of up to 10 MB, at least 600 px on the short side."
    )


def test_an_optional_field_left_empty_is_fine():
    field = ImageUploadField(purpose=Purpose.PRODUCT, required=False)

    assert field.clean(None) is None
