"""Share posters: the PNG (size, QR code, Chinese text), when it is made again, and its pages."""

import io
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import segno
from django.conf import settings as django_settings
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from catalog.models import Product, Variant
from microstore.errors import DomainError
from microstore.sharing import selectors
from microstore.sharing.checks import poster_fonts_check
from microstore.sharing.models import SharePoster
from microstore.sharing.poster import (
    NOTDEF_PROBE,
    PosterFacts,
    Text,
    available_fonts,
    font_for,
    has_glyph,
    poster_render,
    qr_box,
)
from microstore.sharing.services import (
    poster_facts,
    poster_make,
    poster_request,
    poster_store,
    share_link_for,
)
from reviews.models import TrustScore
from shops.models import Shop
from tests.catalog.factories import (
    ImageFactory,
    PublishedProductFactory,
    VariantFactory,
    refresh_derived,
)
from tests.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://shop.example.com"
BUNDLED = str(
    Path(django_settings.BASE_DIR) / "microstore/sharing/fonts/WenQuanYiMicroHei-subset.ttf"
)
SYSTEM_WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
TITLE = "安溪铁观音 Anxi Tieguanyin"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def link(sharer, shop, product, variant):
    """``sharer``'s link to 老高's Tieguanyin (one variant, ¥68.00)."""
    return share_link_for(user=sharer, shop=shop, product=product)


def fresh(link):
    """The link as the poster page loads it (product, stall, score, cover, poster joined)."""
    return selectors.share_link_of(link.user, link.code)


def request_made(link, django_capture_on_commit_callbacks, **kwargs) -> SharePoster:
    """Ask for the poster and let the task run (Celery is eager in tests)."""
    with django_capture_on_commit_callbacks(execute=True):
        poster_request(link=fresh(link), actor=link.user, **kwargs)
    return SharePoster.objects.get(link=link)


def png_of(poster: SharePoster) -> Image.Image:
    with default_storage.open(poster.image_name, "rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    return image


def facts(**changes) -> PosterFacts:
    values = {
        "title": TITLE,
        "price": Decimal("68.00"),
        "price_from": False,
        "stall_name": "老高的茶叶铺",
        "badges": ("identity",),
        "trust_score": 87,
        "share_url": f"{SITE}/share/AbCdEfGh/",
    }
    return PosterFacts(**(values | changes))


def render(**changes) -> Image.Image:
    return Image.open(io.BytesIO(poster_render(facts=facts(**changes))))


def segno_matrix(url: str) -> list[list[int]]:
    code = segno.make(url, error="m", micro=False, boost_error=False)
    return [[int(bool(cell)) for cell in row] for row in code.matrix_iter(scale=1, border=4)]


def read_qr(image: Image.Image, url: str) -> list[list[int]]:
    """Sample the centre of every module where the poster drew the QR code (quiet zone
    included): dark → 1."""
    box = qr_box(url)
    grey = image.convert("L")
    half = box.module // 2

    def dark(row, col):
        return int(
            grey.getpixel((box.x + col * box.module + half, box.y + row * box.module + half)) < 128
        )

    return [[dark(r, c) for c in range(box.modules)] for r in range(box.modules)]


def glyph(path: str, char: str, size: int = 48) -> Image.Image:
    font = ImageFont.truetype(path, size)
    image = Image.new("L", (size * 2, size * 2), 0)
    ImageDraw.Draw(image).text((size // 2, size // 2), char, font=font, fill=255)
    return image


def jpeg(color) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 900), color).save(out, "JPEG")
    return out.getvalue()


def give_cover(product, color=(20, 120, 200)):
    """A processed cover photo whose renditions really are in the storage."""
    image = ImageFactory()
    for rendition in image.renditions:
        default_storage.save(rendition["name"], ContentFile(jpeg(color)))
    Product.objects.filter(pk=product.pk).update(cover=image)
    return image


# --- the PNG -----------------------------------------------------------------------------------


def test_the_poster_is_a_png_of_the_configured_size(settings):
    image = render()
    assert image.format == "PNG"
    assert image.size == (750, 1200)

    settings.SHARE_POSTER_SIZE = (600, 960)

    assert render().size == (600, 960)


def test_the_same_facts_give_the_same_bytes():
    assert poster_render(facts=facts()) == poster_render(facts=facts())
    assert poster_render(facts=facts()) != poster_render(facts=facts(price=Decimal("69.00")))


@pytest.mark.parametrize("size", [(750, 1200), (600, 960), (1080, 1920)])
def test_the_qr_code_carries_the_share_url_in_whole_pixel_modules(settings, size):
    settings.SHARE_POSTER_SIZE = size
    url = f"{SITE}/share/AbCdEfGh/"

    image = render(share_url=url)

    box = qr_box(url)
    assert box.module >= 2  # whole pixels per module: crisp when scanned
    assert box.x + box.size <= size[0] and box.y + box.size <= size[1]
    assert box.x > size[0] / 2 and box.y > size[1] / 2  # bottom right
    assert read_qr(image, url) == segno_matrix(url)
    assert read_qr(render(share_url=f"{SITE}/share/other/"), url) != segno_matrix(url)


def test_chinese_text_is_drawn_with_real_glyphs_not_the_missing_glyph_box():
    fonts = available_fonts()
    assert fonts[0] == BUNDLED  # the shipped subset comes first: no system font needed
    box = glyph(BUNDLED, NOTDEF_PROBE)
    assert box.getbbox() is not None  # the box itself is visible, so the comparison means something

    for char in "老高的茶叶铺安溪铁观音信任分已实名认证起扫码":
        assert font_for(char, fonts) == BUNDLED, char
        drawn = glyph(BUNDLED, char)
        assert drawn.getbbox() is not None, f"{char} is blank"
        assert drawn.tobytes() != box.tobytes(), f"{char} is drawn as the missing-glyph box"


def test_a_character_outside_the_subset_comes_from_the_system_font():
    if not Path(SYSTEM_WQY).is_file():
        pytest.skip("needs fonts-wqy-microhei: apt-get install fonts-wqy-microhei")
    fonts = available_fonts()
    rare = "們"  # traditional, not in GB2312, so not in the bundled subset

    assert not has_glyph(BUNDLED, rare)
    assert has_glyph(SYSTEM_WQY, rare)
    assert font_for(rare, fonts) == SYSTEM_WQY
    runs = Text(fonts, 40).runs("老高們的")
    assert [chunk for chunk, _font in runs] == ["老高", "們", "的"]
    drawn = glyph(SYSTEM_WQY, rare)
    assert drawn.getbbox() is not None
    assert drawn.tobytes() != glyph(SYSTEM_WQY, NOTDEF_PROBE).tobytes()
    # and the poster changes where the character is drawn: it is not dropped
    assert poster_render(facts=facts(title="我們")) != poster_render(facts=facts(title="我"))


def test_a_long_title_is_cut_to_two_lines_with_an_ellipsis():
    text = Text(available_fonts(), 40)
    title = "安溪铁观音 特级 浓香型 乌龙茶 " * 6

    lines = text.wrap(title, 670, max_lines=2)

    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert all(text.width(line) <= 670 for line in lines)
    assert text.wrap("铁观音", 670, max_lines=2) == ["铁观音"]


def test_a_stall_without_a_cover_gets_a_placeholder_and_a_cover_is_drawn():
    blue = jpeg((20, 120, 200))

    with_cover = render(cover=blue, cover_key="c").convert("RGB")
    without = render().convert("RGB")

    assert with_cover.getpixel((20, 20)) == pytest.approx((20, 120, 200), abs=8)
    assert without.getpixel((20, 20)) != with_cover.getpixel((20, 20))
    assert render(cover=b"not a photo", cover_key="c").size == (750, 1200)  # placeholder


# --- what the poster shows ---------------------------------------------------------------------


def test_the_facts_come_from_the_product_stall_and_score(link, shop, product):
    VariantFactory(product=product, sku="TGY-500", price=Decimal("120.00"))
    TrustScore.objects.create(shop=shop, score=91, parts=[])
    Shop.objects.filter(pk=shop.pk).update(
        identity_verified_at=timezone.now(),
        identity_verified_until=timezone.now() + timedelta(days=300),
    )

    got = poster_facts(fresh(link))

    assert got.title == "铁观音 Tieguanyin"
    assert got.price == Decimal("68.00") and got.price_from  # two variants: "from ¥68.00"
    assert got.stall_name == "老高的茶叶铺"
    assert got.badges == ("identity",)
    assert got.trust_score == 91
    assert got.share_url == f"{SITE}/share/{link.code}/"


def test_a_new_stall_has_no_score(link):
    assert poster_facts(fresh(link)).trust_score is None


def test_a_stall_link_has_no_poster(sharer, shop):
    link = share_link_for(user=sharer, shop=shop)

    with pytest.raises(DomainError, match="Posters are made for products"):
        poster_request(link=link, actor=sharer)


def test_only_the_sharer_can_ask_for_the_poster(link, stranger):
    with pytest.raises(DomainError):
        poster_request(link=fresh(link), actor=stranger)
    assert not SharePoster.objects.exists()


# --- made by a task, cached, made again when the product changes -------------------------------


def test_asking_makes_the_poster_after_commit(link, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        poster = poster_request(link=fresh(link), actor=link.user)
        assert poster.status == SharePoster.Status.PENDING
    assert len(callbacks) == 1  # the task, only once the transaction commits

    for callback in callbacks:
        callback()

    poster.refresh_from_db()
    assert poster.status == SharePoster.Status.READY
    assert poster.made_at is not None
    assert poster.image_name == f"posters/{link.code}-{poster.fingerprint[:12]}.png"
    assert png_of(poster).size == (750, 1200)


def test_asking_again_for_an_unchanged_poster_makes_nothing(
    link, django_capture_on_commit_callbacks
):
    first = request_made(link, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks() as callbacks:
        again = poster_request(link=fresh(link), actor=link.user)

    assert callbacks == []
    assert again.pk == first.pk and again.image_name == first.image_name


def _edit_title(product, variant):
    Product.objects.filter(pk=product.pk).update(title="铁观音 新茶 New harvest")


def _edit_price(product, variant):
    Variant.objects.filter(pk=variant.pk).update(price=Decimal("58.00"))
    refresh_derived(product)


@pytest.mark.parametrize("edit", [_edit_title, _edit_price], ids=["title", "price"])
def test_editing_the_product_gives_a_new_poster_and_removes_the_old_file(
    link, product, variant, edit, django_capture_on_commit_callbacks
):
    old = request_made(link, django_capture_on_commit_callbacks)
    old_png = png_of(old).tobytes()

    edit(product, variant)
    new = request_made(link, django_capture_on_commit_callbacks)

    assert new.status == SharePoster.Status.READY
    assert new.fingerprint != old.fingerprint
    assert new.image_name != old.image_name
    assert not default_storage.exists(old.image_name)
    assert png_of(new).tobytes() != old_png


def _cover(shop, product, settings):
    give_cover(product)


def _stall_name(shop, product, settings):
    Shop.objects.filter(pk=shop.pk).update(name="老高茶庄")


def _badge(shop, product, settings):
    now = timezone.now()
    Shop.objects.filter(pk=shop.pk).update(
        identity_verified_at=now, identity_verified_until=now + timedelta(days=30)
    )


def _score(shop, product, settings):
    TrustScore.objects.create(shop=shop, score=75, parts=[])


def _site(shop, product, settings):
    settings.SITE_URL = "https://other.example.com"


@pytest.mark.parametrize(
    "change",
    [_cover, _stall_name, _badge, _score, _site],
    ids=["cover", "stall name", "badge", "trust score", "share URL"],
)
def test_everything_the_poster_shows_is_part_of_its_fingerprint(
    link, shop, product, change, settings, django_capture_on_commit_callbacks
):
    old = request_made(link, django_capture_on_commit_callbacks)

    change(shop, product, settings)
    with django_capture_on_commit_callbacks() as callbacks:
        poster = poster_request(link=fresh(link), actor=link.user)

    assert len(callbacks) == 1
    assert poster.status == SharePoster.Status.PENDING
    assert poster.fingerprint != old.fingerprint


def test_a_cover_photo_is_drawn_on_the_poster(link, product, django_capture_on_commit_callbacks):
    give_cover(product, color=(200, 40, 40))

    poster = request_made(link, django_capture_on_commit_callbacks)

    assert png_of(poster).convert("RGB").getpixel((30, 30)) == pytest.approx((200, 40, 40), abs=8)


def test_a_stale_task_does_not_replace_a_newer_poster(
    link, product, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as first_task:
        poster_request(link=fresh(link), actor=link.user)
    Product.objects.filter(pk=product.pk).update(title="铁观音 新茶")
    newer = request_made(link, django_capture_on_commit_callbacks)  # its own task ran

    for callback in first_task:  # the first request's task runs late
        callback()

    poster = SharePoster.objects.get(pk=newer.pk)
    assert poster.status == SharePoster.Status.READY
    assert (poster.fingerprint, poster.image_name) == (newer.fingerprint, newer.image_name)
    assert default_storage.exists(newer.image_name)
    assert sorted(default_storage.listdir("posters")[1]) == [newer.image_name.split("/")[1]]


def test_a_drawing_finished_after_the_poster_was_asked_for_again_is_thrown_away(
    link, product, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # the first task is slow: it has not stored yet
        first = poster_request(link=fresh(link), actor=link.user)
    drawn = poster_render(facts=poster_facts(fresh(link), with_cover=True))
    slow_file = default_storage.save("posters/slow.png", ContentFile(drawn))
    Product.objects.filter(pk=product.pk).update(title="铁观音 新茶")
    newer = request_made(link, django_capture_on_commit_callbacks)  # asked again, made

    poster_store(
        poster_id=first.pk,
        requested=first.fingerprint,
        fingerprint=first.fingerprint,
        name=slow_file,
    )

    poster = SharePoster.objects.get(pk=first.pk)
    assert (poster.fingerprint, poster.image_name) == (newer.fingerprint, newer.image_name)
    assert poster.is_ready and default_storage.exists(newer.image_name)
    assert not default_storage.exists(slow_file)


def test_a_task_drawing_after_another_change_shows_the_product_as_it_is_now(
    link, product, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as task:
        poster_request(link=fresh(link), actor=link.user)
    Product.objects.filter(pk=product.pk).update(title="铁观音 新茶")  # nobody asked again yet

    for callback in task:
        callback()

    poster = SharePoster.objects.get(link=link)
    assert poster.status == SharePoster.Status.READY
    assert poster.fingerprint == poster_facts(fresh(link)).fingerprint()
    with django_capture_on_commit_callbacks() as callbacks:
        poster_request(link=fresh(link), actor=link.user)
    assert callbacks == []  # up to date: nothing to make


def test_a_task_for_a_deleted_link_does_nothing(link, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as task:
        poster = poster_request(link=fresh(link), actor=link.user)
    link.delete()

    for callback in task:
        callback()

    assert poster_make(poster_id=poster.pk) is None
    assert not SharePoster.objects.exists()


# --- no font -----------------------------------------------------------------------------------


def test_without_any_font_the_poster_fails_with_a_clear_message_and_check_warns(
    link, settings, client, django_capture_on_commit_callbacks
):
    assert poster_fonts_check() == []
    settings.SHARE_POSTER_FONTS = ["/nonexistent/NoSuchFont.ttf"]

    poster = request_made(link, django_capture_on_commit_callbacks)

    assert poster.status == SharePoster.Status.FAILED
    assert "SHARE_POSTER_FONTS" in poster.error
    assert "apt-get install fonts-wqy-microhei" in poster.error
    client.force_login(link.user)
    page = client.get(reverse("sharing:poster", args=[link.code]))
    assert "apt-get install fonts-wqy-microhei" in page.text
    assert "Try again" in page.text
    (warning,) = [w for w in run_checks() if w.id == "sharing.W001"]
    assert "SHARE_POSTER_FONTS" in warning.msg
    assert "fonts-wqy-microhei" in warning.hint


def test_trying_again_after_the_font_is_installed_makes_the_poster(
    link, settings, client, django_capture_on_commit_callbacks
):
    fonts = settings.SHARE_POSTER_FONTS
    settings.SHARE_POSTER_FONTS = ["/nonexistent/NoSuchFont.ttf"]
    request_made(link, django_capture_on_commit_callbacks)
    settings.SHARE_POSTER_FONTS = fonts
    client.force_login(link.user)
    url = reverse("sharing:poster", args=[link.code])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302 and response.url == url
    assert SharePoster.objects.get(link=link).status == SharePoster.Status.READY


# --- the pages ---------------------------------------------------------------------------------


def get(client, url, callbacks, **kwargs):
    with callbacks(execute=True):
        return client.get(url, **kwargs)


def test_the_poster_page_shows_the_poster_with_download_and_save_hint(
    client, link, django_capture_on_commit_callbacks
):
    client.force_login(link.user)
    url = reverse("sharing:poster", args=[link.code])
    first = get(client, url, django_capture_on_commit_callbacks)  # asks for it; the task runs

    page = client.get(url)

    assert "Making your poster" in first.text
    assert page.status_code == 200
    poster = SharePoster.objects.get(link=link)
    png_url = f"{reverse('sharing:poster-png', args=[link.code])}?v={poster.version}"
    assert f'src="{png_url}"' in page.text
    assert f'href="{png_url}&amp;download=1"' in page.text
    assert "long-press" in page.text
    assert "style=" not in page.text
    # "Send the poster…" waits hidden until the browser can hand a picture to the share sheet
    assert f'data-share-file="{png_url}"' in page.text
    assert 'data-share-name="tie-guan-yin-poster.png"' in page.text


def test_while_it_is_being_made_the_page_polls_with_htmx(client, link):
    client.force_login(link.user)
    url = reverse("sharing:poster", args=[link.code])

    page = client.get(url)  # the task waits for the commit, which never comes in this test

    assert "Making your poster" in page.text
    assert 'hx-trigger="load delay:1s"' in page.text
    assert f'hx-get="{url}"' in page.text
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div class="share-poster__body" id="poster"')
    assert "<html" not in fragment.text


def test_the_fragment_shows_the_poster_once_ready(client, link, django_capture_on_commit_callbacks):
    request_made(link, django_capture_on_commit_callbacks)
    client.force_login(link.user)

    fragment = client.get(
        reverse("sharing:poster", args=[link.code]), headers={"HX-Request": "true"}
    )

    assert reverse("sharing:poster-png", args=[link.code]) in fragment.text
    assert "hx-trigger" not in fragment.text


def test_opening_the_page_after_a_price_change_remakes_the_poster(
    client, link, product, variant, django_capture_on_commit_callbacks
):
    old = request_made(link, django_capture_on_commit_callbacks)
    _edit_price(product, variant)
    client.force_login(link.user)
    url = reverse("sharing:poster", args=[link.code])

    page = get(client, url, django_capture_on_commit_callbacks)

    assert "Making your poster" in page.text  # never the old price
    assert f"?v={old.version}" not in page.text
    new = SharePoster.objects.get(link=link)
    assert new.fingerprint != old.fingerprint and new.is_ready
    assert f"?v={new.version}" in client.get(url, headers={"HX-Request": "true"}).text


def test_the_png_is_served_to_its_sharer(client, link, django_capture_on_commit_callbacks):
    poster = request_made(link, django_capture_on_commit_callbacks)
    client.force_login(link.user)
    url = reverse("sharing:poster-png", args=[link.code])

    shown = client.get(url, {"v": poster.version})
    saved = client.get(url, {"download": "1"})

    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert "attachment" not in shown.get("Content-Disposition", "")
    assert "immutable" in shown["Cache-Control"] and "private" in shown["Cache-Control"]
    body = b"".join(saved.streaming_content)
    assert Image.open(io.BytesIO(body)).size == (750, 1200)
    assert saved["Content-Disposition"] == 'attachment; filename="tie-guan-yin-poster.png"'
    assert "no-cache" in saved["Cache-Control"]


def test_there_is_no_png_before_the_poster_is_ready(client, link):
    client.force_login(link.user)
    client.get(reverse("sharing:poster", args=[link.code]))  # pending: its task never ran

    assert client.get(reverse("sharing:poster-png", args=[link.code])).status_code == 404


@pytest.mark.parametrize("name", ["sharing:poster", "sharing:poster-png"])
def test_someone_elses_or_an_unknown_link_is_a_404(
    client, link, stranger, name, django_capture_on_commit_callbacks
):
    request_made(link, django_capture_on_commit_callbacks)
    client.force_login(stranger)

    assert client.get(reverse(name, args=[link.code])).status_code == 404
    assert client.get(reverse(name, args=["no-such-code"])).status_code == 404
    if name == "sharing:poster":
        assert client.post(reverse(name, args=[link.code])).status_code == 404
    assert SharePoster.objects.get(link=link).is_ready  # untouched


@pytest.mark.parametrize("name", ["sharing:poster", "sharing:poster-png"])
def test_the_poster_pages_need_log_in(link, name):
    response = Client().get(reverse(name, args=[link.code]))

    assert response.status_code == 302 and "login" in response.url


def test_a_stall_link_has_no_poster_page_but_a_clear_message(client, sharer, shop):
    link = share_link_for(user=sharer, shop=shop)
    client.force_login(sharer)

    page = client.get(reverse("sharing:poster", args=[link.code]))

    assert page.status_code == 400
    assert "Posters are made for products" in page.text
    assert not SharePoster.objects.exists()


def test_a_product_no_longer_on_sale_has_no_poster(client, link, product):
    Product.objects.filter(pk=product.pk).update(status=Product.Status.HIDDEN)
    client.force_login(link.user)

    page = client.get(reverse("sharing:poster", args=[link.code]))

    assert page.status_code == 400
    assert "not on sale" in page.text


def test_my_share_links_offer_a_poster_for_product_links_only(client, link, sharer, shop):
    stall_link = share_link_for(user=sharer, shop=shop)
    client.force_login(sharer)

    text = client.get(reverse("sharing:mine")).text

    assert f'href="{reverse("sharing:poster", args=[link.code])}"' in text
    assert reverse("sharing:poster", args=[stall_link.code]) not in text


@pytest.mark.parametrize("links", [1, 25])
def test_the_poster_pages_need_a_bounded_number_of_queries(
    client, sharer, link, links, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for _n in range(links - 1):
        other = PublishedProductFactory(shop=ShopFactory())
        share_link_for(user=sharer, shop=other.shop, product=other)
    TrustScore.objects.create(shop=link.shop, score=80, parts=[])
    give_cover(link.product)
    poster = request_made(link, django_capture_on_commit_callbacks)
    client.force_login(sharer)
    client.get(reverse("sharing:mine"))  # the session is loaded once before counting

    # session, user, the link with everything the poster shows in one join; the page also
    # counts unread notifications (base.html)
    with django_assert_max_num_queries(4):
        page = client.get(reverse("sharing:poster", args=[link.code]))
    with django_assert_max_num_queries(3):
        png = client.get(reverse("sharing:poster-png", args=[link.code]), {"v": poster.version})

    assert page.status_code == 200 and png.status_code == 200


# --- a real worker -----------------------------------------------------------------------------


@pytest.mark.redis
def test_a_real_worker_makes_the_poster(running_worker):
    sharer = UserFactory()
    product = PublishedProductFactory(shop=ShopFactory(name="秦岭蜂蜜"), title="秦岭土蜂蜜")
    VariantFactory(product=product, sku="HONEY-1", price=Decimal("88.00"))
    link = share_link_for(user=sharer, shop=product.shop, product=product)
    broker = running_worker.connection_for_write().default_channel.client

    with transaction.atomic():
        poster = poster_request(link=fresh(link), actor=sharer)
        assert broker.llen(running_worker.conf.task_default_queue) == 0  # not before commit

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        poster.refresh_from_db()
        if poster.status != SharePoster.Status.PENDING:
            break
        time.sleep(0.1)
    assert poster.status == SharePoster.Status.READY, poster.error
    assert png_of(poster).size == (750, 1200)


# --- lost tasks and left-over files -----------------------------------------------------------


def test_a_poster_whose_task_was_lost_gets_a_new_task(link, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the task is lost
        poster_request(link=fresh(link), actor=link.user)
    with django_capture_on_commit_callbacks() as soon:
        poster_request(link=fresh(link), actor=link.user)
    assert soon == []  # still being made, as far as anyone can tell

    SharePoster.objects.filter(link=link).update(requested_at=timezone.now() - timedelta(minutes=3))
    with django_capture_on_commit_callbacks(execute=True) as retried:
        poster_request(link=fresh(link), actor=link.user)

    assert len(retried) == 1
    assert SharePoster.objects.get(link=link).status == SharePoster.Status.READY


def test_the_nightly_sweep_deletes_poster_files_whose_link_is_gone(
    link, django_capture_on_commit_callbacks
):
    from microstore.sharing.services import posters_sweep_orphans

    kept = request_made(link, django_capture_on_commit_callbacks)
    orphan = default_storage.save("posters/gone-0123456789ab.png", ContentFile(b"png"))
    just_saved = default_storage.save("posters/new-0123456789ab.png", ContentFile(b"png"))
    an_hour_on = timezone.now() + timedelta(hours=1, minutes=1)

    assert posters_sweep_orphans(now=timezone.now()) == 0  # all too fresh to judge
    deleted = posters_sweep_orphans(now=an_hour_on)

    assert deleted == 2
    assert default_storage.exists(kept.image_name)
    assert not default_storage.exists(orphan) and not default_storage.exists(just_saved)


def test_the_sweep_runs_nightly_and_copes_with_no_posters_yet():
    from microstore.sharing.services import posters_sweep_orphans

    entry = django_settings.CELERY_BEAT_SCHEDULE["sharing-sweep-orphan-posters"]
    assert entry["task"] == "microstore.sharing.tasks.sweep_orphan_posters"
    assert posters_sweep_orphans() == 0


def test_the_admin_shows_a_links_poster(
    client, admin_user, link, django_capture_on_commit_callbacks
):
    poster = request_made(link, django_capture_on_commit_callbacks)
    client.force_login(admin_user)

    page = client.get(reverse("admin:sharing_sharelink_change", args=[link.pk]))

    assert page.status_code == 200
    assert poster.image_name in page.text
