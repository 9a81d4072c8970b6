"""Renditions: upright, sRGB, the right sizes, and nothing but pixels."""

from io import BytesIO

import pytest
from PIL import Image as PILImage
from PIL import ImageStat

from microstore.images import pipeline
from tests.images.conftest import assert_no_metadata
from tests.images.corpus import GOOD, good_by_id, photo, save

WIDTHS = (320, 800, 1600)


def opened(rendition) -> PILImage.Image:
    image = PILImage.open(BytesIO(rendition.data))
    image.load()
    return image


@pytest.mark.parametrize("good", GOOD, ids=lambda good: good.id)
def test_every_rendition_has_the_right_size_format_and_no_metadata(good):
    rendered = pipeline.render(good.data, widths=WIDTHS)

    assert (rendered.width, rendered.height) == (good.width, good.height)
    expected_widths = [w for w in sorted(WIDTHS, reverse=True) if w <= good.width] or [good.width]
    assert [r.width for r in rendered.renditions] == [w for w in expected_widths for _ in "ab"]
    assert [r.format for r in rendered.renditions] == ["webp", "jpeg"] * len(expected_widths)
    for rendition in rendered.renditions:
        image = opened(rendition)
        assert image.format == {"webp": "WEBP", "jpeg": "JPEG"}[rendition.format]
        assert image.size == (rendition.width, rendition.height)
        assert rendition.height == round(good.height * rendition.width / good.width)
        assert image.mode in ("RGB", "RGBA")
        assert_no_metadata(rendition.data)
    assert rendered.dominant_color.startswith("#") and len(rendered.dominant_color) == 7


def test_the_exif_orientation_is_applied_and_the_gps_position_is_gone():
    rendered = pipeline.render(good_by_id()["rotated-jpeg-with-gps"].data, widths=WIDTHS)

    for rendition in rendered.renditions:
        image = opened(rendition).convert("RGB")
        assert image.height > image.width  # upright: portrait, as it was shot
        red, green, blue = image.getpixel((5, 5))  # the red corner is top-left again
        assert red > 180 and green < 90 and blue < 90, (red, green, blue)
        assert not image.getexif().get_ifd(0x8825)


def test_cmyk_comes_out_in_the_colours_it_went_in():
    source = photo(1000, 800, seed=3)
    rendered = pipeline.render(good_by_id()["cmyk-jpeg"].data, widths=(800,))

    expected = ImageStat.Stat(source.resize((800, 640))).mean
    actual = ImageStat.Stat(opened(rendered.renditions[1]).convert("RGB")).mean
    assert all(abs(a - e) < 25 for a, e in zip(actual, expected, strict=True)), (actual, expected)


def test_sixteen_bit_grey_keeps_its_tones_instead_of_turning_white():
    rendered = pipeline.render(good_by_id()["sixteen-bit-png"].data, widths=(800,))

    grey = opened(rendered.renditions[1]).convert("L")
    darkest, brightest = grey.getextrema()
    assert darkest < 20 and 180 < brightest < 215  # 0 … 51000 of 65535 is 0 … 199 of 255


def test_transparency_is_kept_in_webp_and_flattened_on_white_in_jpeg():
    rendered = pipeline.render(good_by_id()["palette-png-with-transparency"].data, widths=(320,))
    webp, jpeg = (opened(r) for r in rendered.renditions)

    assert webp.mode == "RGBA"
    assert webp.getpixel((2, 2))[3] == 0  # the corner is see-through
    assert webp.getpixel((160, 160))[3] == 255
    assert jpeg.mode == "RGB"
    assert all(channel > 245 for channel in jpeg.getpixel((2, 2)))


def test_an_opaque_photo_gets_no_alpha_channel():
    rendered = pipeline.render(save(photo(900, 600).convert("RGBA"), "PNG"), widths=(800,))

    assert opened(rendered.renditions[0]).mode == "RGB"


def test_an_embedded_colour_profile_is_converted_to_srgb_not_copied():
    from PIL import ImageCms

    wide = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))  # not RGB: must not crash
    data = save(photo(900, 600), "JPEG", icc_profile=wide.tobytes())

    rendered = pipeline.render(data, widths=(800,))

    assert_no_metadata(rendered.renditions[1].data)


def test_a_small_original_gets_one_rendition_at_its_own_width():
    assert pipeline.target_widths(200, WIDTHS) == [200]
    assert pipeline.target_widths(1000, WIDTHS) == [800, 320]
    assert pipeline.target_widths(5000, WIDTHS) == [1600, 800, 320]


def test_the_output_is_the_same_every_time():
    data = good_by_id()["webp"].data

    first = pipeline.render(data, widths=WIDTHS)
    second = pipeline.render(data, widths=WIDTHS)

    assert [r.data for r in first.renditions] == [r.data for r in second.renditions]


def test_an_original_that_cannot_be_decoded_is_a_pipeline_error():
    with pytest.raises(pipeline.PipelineError):
        pipeline.render(b"\xff\xd8\xff" + b"\x00" * 100, widths=WIDTHS)


def test_the_spec_changes_with_the_widths():
    assert pipeline.spec((320, 800, 1600)) == pipeline.spec((1600, 800, 320))
    assert pipeline.spec((320, 800, 1600)) != pipeline.spec((320, 800, 1200))
