"""QR codes of stalls and products, the printable stall card, Open Graph / Twitter tags."""

import re
import xml.etree.ElementTree as ET

import pytest
import segno
from django.urls import reverse

from catalog.models import Product, ProductPhoto
from microstore.images.models import Purpose
from microstore.qr import qr_svg
from reviews.models import TrustScore
from shops.models import Shop, Status
from tests.catalog.factories import ImageFactory, PublishedProductFactory, VariantFactory
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

SITE = "https://shop.example.com"
SVG_NS = "{http://www.w3.org/2000/svg}"
STEP = re.compile(r"([MmHh])([-\d.]+)(?:\s+([-\d.]+))?")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def shop(owner):
    return ShopFactory(owner=owner, name="老高的茶叶铺", slug="lao-gao", code="lg2024")


@pytest.fixture
def published(shop):
    product = PublishedProductFactory(shop=shop, title="Spring oolong", slug="spring-oolong")
    VariantFactory(product=product, sku="SO-100")
    return product


def svg_matrix(svg: str) -> list[list[int]]:
    """The dark modules drawn by the SVG's module path, read back as rows of 0/1 (border
    included): segno draws each row as horizontal strokes half a module below the row's top."""
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed in a test
    _, _, width, height = (int(float(n)) for n in root.get("viewBox").split())
    grid = [[0] * width for _ in range(height)]
    (path,) = [p for p in root.iter(f"{SVG_NS}path") if p.get("class") == "qr__modules"]
    x = y = 0.0
    for command, first, second in STEP.findall(path.get("d")):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:  # "h": a run of dark modules on row y - 0.5
            length = float(first)
            for column in range(int(x), int(x + length)):
                grid[int(y - 0.5)][column] = 1
            x += length
    return grid


def segno_matrix(url: str) -> list[list[int]]:
    code = segno.make(url, error="m", micro=False, boost_error=False)
    return [[int(bool(cell)) for cell in row] for row in code.matrix_iter(scale=1, border=4)]


def no_style_or_script(svg: str) -> bool:
    return "style=" not in svg and "<script" not in svg.lower()


# --- the SVG itself ------------------------------------------------------------------------


def test_the_svg_carries_exactly_the_qr_code_of_the_url():
    url = f"{SITE}/s/lg2024/"

    svg = qr_svg(url, title="QR <code>")

    assert svg_matrix(svg) == segno_matrix(url)
    assert 'viewBox="0 0 ' in svg and "width=" not in svg  # scales with its box
    assert no_style_or_script(svg)
    assert "<title>QR &lt;code&gt;</title>" in svg


def test_a_different_url_gives_a_different_code():
    assert svg_matrix(qr_svg(f"{SITE}/s/a/")) != svg_matrix(qr_svg(f"{SITE}/s/b/"))


# --- the stall's QR code -------------------------------------------------------------------


def test_the_stall_qr_code_decodes_to_its_short_link(client, shop):
    response = client.get(reverse("shops:qr", args=[shop.slug]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "max-age=3600" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert svg_matrix(response.text) == segno_matrix(f"{SITE}/s/lg2024/")
    assert no_style_or_script(response.text)


def test_the_short_link_in_the_code_leads_to_the_stall(client, shop):
    response = client.get("/s/lg2024/")

    assert response.status_code == 302
    assert response.url == shop.get_absolute_url()


@pytest.mark.parametrize("name", ["shops:qr", "shops:card"])
def test_an_unknown_or_closed_stall_has_no_qr_code_or_card(client, shop, name):
    assert client.get(reverse(name, args=["no-such-stall"])).status_code == 404

    Shop.objects.filter(pk=shop.pk).update(status=Status.CLOSED)

    assert client.get(reverse(name, args=[shop.slug])).status_code == 404


# --- the product's QR code -----------------------------------------------------------------


def test_the_product_qr_code_decodes_to_its_canonical_page(client, shop, published):
    response = client.get(reverse("shops:product-qr", args=[shop.slug, published.slug]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    url = f"{SITE}/stalls/lao-gao/goods/spring-oolong/"
    assert svg_matrix(response.text) == segno_matrix(url)


@pytest.mark.parametrize("status", [Product.Status.DRAFT, Product.Status.HIDDEN])
def test_drafts_and_hidden_goods_have_no_qr_code(client, owner, shop, published, status):
    Product.objects.filter(pk=published.pk).update(status=status)
    client.force_login(owner)  # not even for the stall itself: nothing to share yet

    response = client.get(reverse("shops:product-qr", args=[shop.slug, published.slug]))

    assert response.status_code == 404


def test_unknown_products_and_products_of_another_stall_have_no_qr_code(client, shop, published):
    other = ShopFactory(slug="other")

    assert client.get(reverse("shops:product-qr", args=[shop.slug, "nope"])).status_code == 404
    assert (
        client.get(reverse("shops:product-qr", args=[other.slug, published.slug])).status_code
        == 404
    )
    assert client.get(reverse("shops:product-qr", args=["nope", published.slug])).status_code == 404


# --- the printable stall card --------------------------------------------------------------


def test_the_stall_card_shows_name_badges_trust_qr_and_short_link(client, shop):
    TrustScore.objects.create(shop=shop, score=87, parts=[])

    response = client.get(reverse("shops:card", args=[shop.slug]))

    assert response.status_code == 200
    text = response.text
    assert "老高的茶叶铺" in text
    assert "Trust score 87 / 100" in text
    assert f"{SITE}/s/lg2024/" in text
    (svg,) = re.findall(r"<svg xmlns=.*?</svg>", text, re.S)
    assert svg_matrix(svg) == segno_matrix(f"{SITE}/s/lg2024/")
    assert "style=" not in text and "<script" not in text


def test_a_stall_without_a_score_prints_no_score(client, shop):
    response = client.get(reverse("shops:card", args=[shop.slug]))

    assert response.status_code == 200
    assert "Trust score" not in response.text


def test_the_card_is_linked_from_the_stall_page_and_the_dashboard(client, owner, shop):
    card = reverse("shops:card", args=[shop.slug])

    assert f'href="{card}"' in client.get(shop.get_absolute_url()).text
    client.force_login(owner)
    assert f'href="{card}"' in client.get(reverse("shops:manage", args=[shop.slug])).text


@pytest.mark.parametrize("stalls", [1, 30])
def test_the_card_page_needs_a_bounded_number_of_queries(
    client, shop, stalls, django_assert_max_num_queries
):
    ShopFactory.create_batch(stalls - 1)
    TrustScore.objects.create(shop=shop, score=60, parts=[])
    logo = ImageFactory(purpose=Purpose.SHOP_LOGO)
    Shop.objects.filter(pk=shop.pk).update(logo=logo)

    with django_assert_max_num_queries(1):  # the stall, its pictures and score: one join
        response = client.get(reverse("shops:card", args=[shop.slug]))

    assert response.status_code == 200


# --- Open Graph / Twitter ------------------------------------------------------------------


def test_the_stall_page_has_open_graph_tags_with_absolute_urls(client, shop):
    banner = ImageFactory(purpose=Purpose.SHOP_BANNER)
    Shop.objects.filter(pk=shop.pk).update(banner=banner)

    text = client.get(shop.get_absolute_url()).text

    assert '<meta property="og:title" content="老高的茶叶铺">' in text
    assert f'<meta property="og:url" content="{SITE}/stalls/lao-gao/">' in text
    assert '<meta property="og:type" content="website">' in text
    assert '<meta property="og:description" content="Fresh from the farm">' in text
    image = f"{SITE}/media/img/{banner.pk}/800w-0123abcd.jpg"
    assert f'<meta property="og:image" content="{image}">' in text
    assert '<meta name="twitter:card" content="summary_large_image">' in text
    assert f'<meta name="twitter:image" content="{image}">' in text
    assert f'src="{reverse("shops:qr", args=[shop.slug])}"' in text


def test_a_stall_without_pictures_falls_back_to_a_small_card(client, shop):
    text = client.get(shop.get_absolute_url()).text

    assert "og:image" not in text
    assert '<meta name="twitter:card" content="summary">' in text


def test_the_stall_logo_is_the_image_when_there_is_no_banner(client, shop):
    logo = ImageFactory(purpose=Purpose.SHOP_LOGO)
    Shop.objects.filter(pk=shop.pk).update(logo=logo)

    text = client.get(shop.get_absolute_url()).text

    assert f'<meta property="og:image" content="{SITE}/media/img/{logo.pk}/' in text


def test_the_product_page_has_twitter_tags_and_its_qr_code(client, shop, published):
    ProductPhoto.objects.create(product=published, image=ImageFactory(), alt_text="The tin")

    text = client.get(published.get_absolute_url()).text

    assert text.count('property="og:image"') == 1  # extended, not duplicated
    assert '<meta name="twitter:card" content="summary_large_image">' in text
    assert '<meta name="twitter:image" content="http' in text
    assert f'src="{reverse("shops:product-qr", args=[shop.slug, published.slug])}"' in text
