"""{% picture %}: a sharp, right-sized photo when ready, a same-shaped placeholder before."""

import pytest
from django.template import Context, Template

from microstore.images.models import Status
from tests.images.corpus import good_by_id, jpeg

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template("{% load pictures %}" + source).render(Context(context))


def test_a_ready_image_is_a_picture_with_webp_and_a_jpeg_fallback(make_image):
    image = make_image(good_by_id()["webp"].data)  # 1800 × 1200: 320, 800 and 1600 wide

    out = render(
        '{% picture image alt="Oolong, 250 g" sizes="(min-width: 40rem) 50vw, 100vw" '
        'class="product-photo" %}',
        image=image,
    )

    webp = [r["name"] for r in image.renditions_of("webp")]
    jpegs = [r["name"] for r in image.renditions_of("jpeg")]
    assert out.count("<picture") == 1
    assert (
        f'<source type="image/webp" srcset="/media/{webp[0]} 320w, /media/{webp[1]} 800w, '
        f'/media/{webp[2]} 1600w" sizes="(min-width: 40rem) 50vw, 100vw">'
    ) in out
    assert f'src="/media/{jpegs[1]}"' in out  # the 800 px JPEG for old browsers
    assert (
        f'srcset="/media/{jpegs[0]} 320w, /media/{jpegs[1]} 800w, /media/{jpegs[2]} 1600w"' in out
    )
    assert 'width="1800" height="1200"' in out
    assert 'alt="Oolong, 250 g"' in out
    assert 'loading="lazy"' in out and 'decoding="async"' in out
    assert 'class="picture picture--ready product-photo"' in out
    assert f'fill="{image.dominant_color}"' in out  # behind the photo while it loads
    assert 'viewBox="0 0 1800 1200"' in out
    assert "style=" not in out and "<script" not in out


def test_above_the_fold_photos_load_eagerly(make_image):
    out = render("{% picture image eager=True %}", image=make_image(jpeg(900, 700)))

    assert 'loading="eager"' in out and 'fetchpriority="high"' in out


@pytest.mark.parametrize(
    ("status", "says"),
    [(Status.PENDING, "Processing photo…"), (Status.FAILED, "Photo unavailable")],
)
def test_until_it_is_ready_a_placeholder_reserves_the_same_space(make_image, status, says):
    image = make_image(jpeg(900, 700), process=False)
    image.status = status

    out = render('{% picture image alt="Tea" class="avatar" %}', image=image)

    assert "<picture" not in out and "<img" not in out
    assert says in out
    assert f'aria-label="{says}"' in out
    assert f'class="picture picture--{status} avatar"' in out
    assert 'viewBox="0 0 900 700"' in out
    assert "hx-get" not in out  # polling only when asked for
    assert "style=" not in out


def test_a_pending_picture_can_poll_until_it_is_ready(make_image):
    image = make_image(jpeg(900, 700), process=False)

    out = render('{% picture image alt="Me" class="avatar" poll=True %}', image=image)

    assert f'hx-get="/images/{image.pk}/picture/?alt=Me&amp;sizes=100vw&amp;class=avatar"' in out
    assert 'hx-trigger="load delay:2s"' in out and 'hx-swap="outerHTML"' in out


def test_alt_text_and_classes_cannot_break_out(make_image):
    image = make_image(jpeg(900, 700))

    out = render(
        "{% picture image alt=alt class=css %}",
        image=image,
        alt='"><script>alert(1)</script>',
        css='x" onload="alert(1)',
    )

    assert "<script>" not in out
    assert "onload" not in out
    assert 'alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in out


def test_no_image_renders_nothing():
    assert render("{% picture image %}", image=None) == ""


def test_the_tag_costs_no_queries(make_image, django_assert_num_queries):
    image = make_image(jpeg(900, 700))

    with django_assert_num_queries(0):
        render("{% picture image %}", image=image)
