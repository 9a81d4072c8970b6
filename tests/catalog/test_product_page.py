import json
import re

import pytest
from django.template.loader import render_to_string

from catalog import selectors, services
from catalog.models import Product, ProductPhoto
from tests.catalog.factories import (
    ImageFactory,
    ProvenanceFactory,
    PublishedProductFactory,
    VariantFactory,
    category,
)
from tests.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def structured_data(html: str) -> dict:
    (block,) = JSON_LD.findall(html)
    return json.loads(block)


def test_the_product_page_shows_price_variants_stock_and_provenance(client, published):
    ProductPhoto.objects.create(product=published, image=ImageFactory(), alt_text="The tin")

    response = client.get(published.get_absolute_url())

    assert response.status_code == 200
    text = response.text
    assert "Spring oolong" in text and "老高的茶叶铺" in text
    assert "¥68.00" in text
    assert 'href="?sku=SO-250"' in text
    assert "In stock" in text
    assert "Provenance: complete" in text
    assert "SC11435052400123" in text
    assert 'alt="The tin"' in text
    assert (
        '<link rel="canonical" href="http://testserver/stalls/lao-gao-de-cha-ye-pu/goods/'
        'spring-oolong/">'
    ) in text
    assert '<meta property="og:title" content="Spring oolong">' in text
    assert '<meta property="og:image" content="http://testserver/media/img/' in text


def test_a_sold_out_variant_says_so_clearly(client, published):
    response = client.get(published.get_absolute_url(), {"sku": "SO-250"})

    assert 'aria-current="true"' in response.text
    assert '<span class="stock-state stock-state--sold-out">Sold out</span>' in response.text


def test_missing_provenance_is_said_plainly(client, shop):
    product = PublishedProductFactory(shop=shop, category=category("ceramics-tableware"))
    VariantFactory(product=product)

    bare = client.get(product.get_absolute_url())
    ProvenanceFactory(product=product, manufacturer="", licence_number="")
    partial = client.get(product.get_absolute_url())

    assert "Provenance: not given by the seller" in bare.text
    assert "The seller has not said who made this" in bare.text
    assert "Provenance: partial" in partial.text
    assert partial.text.count("Not given by the seller") == 2


def test_json_ld_describes_the_product_and_cannot_break_out_of_its_script(client, published):
    Product.objects.filter(pk=published.pk).update(description="</script><script>alert(1)")

    response = client.get(published.get_absolute_url())

    data = structured_data(response.text)
    assert data["@type"] == "Product"
    assert data["name"] == "Spring oolong"
    assert data["description"] == "</script><script>alert(1)"
    assert data["brand"]["name"] == "老高的茶叶铺"
    assert [
        (o["sku"], o["price"], o["priceCurrency"], o["availability"]) for o in data["offers"]
    ] == [
        ("SO-100", "68.00", "CNY", "https://schema.org/InStock"),
        ("SO-250", "68.00", "CNY", "https://schema.org/OutOfStock"),
    ]
    assert "<script>alert(1)" not in response.text
    # The JSON-LD block is data, never run: the strict policy stays as it is.
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_drafts_and_hidden_goods_are_404_for_shoppers_and_a_preview_for_the_owner(
    client, owner, product
):
    url = product.get_absolute_url()
    assert client.get(url).status_code == 404

    client.force_login(owner)
    preview = client.get(url)
    assert preview.status_code == 200
    assert "Preview: this draft is not published" in preview.text
    assert '<meta name="robots" content="noindex">' in preview.text

    services.product_hide(product=product, actor=None, reason="Blurry licence photo.")
    assert "Blurry licence photo." in client.get(url).text
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_goods_of_a_closed_stall_vanish_and_old_stall_slugs_redirect(client, published):
    from shops.models import ShopSlug

    ShopSlug.objects.create(shop=published.shop, slug="old-name")
    moved = client.get(f"/stalls/old-name/goods/{published.slug}/")
    assert moved.status_code == 301
    assert moved.url == published.get_absolute_url()

    type(published.shop).objects.filter(pk=published.shop.pk).update(status="closed")
    assert client.get(published.get_absolute_url()).status_code == 404


def make_goods(shop, count: int) -> None:
    for n in range(count):
        product = PublishedProductFactory(shop=shop)
        image = ImageFactory()
        ProductPhoto.objects.create(product=product, image=image)
        Product.objects.filter(pk=product.pk).update(cover=image)
        VariantFactory(product=product, stock=n % 3)
        VariantFactory(product=product)
        if n % 2:
            ProvenanceFactory(product=product)


@pytest.mark.parametrize("count", [1, 48])
def test_a_grid_is_one_query_whatever_its_size(count, django_assert_num_queries):
    shop = ShopFactory()
    make_goods(shop, count)

    with django_assert_num_queries(1):
        html = render_to_string(
            "catalog/product_grid.html",
            {"products": selectors.product_list_for_shop(shop)[:48], "show_shop": True},
        )

    assert html.count('<li class="product-card') == count
    assert html.count("/media/img/") >= count
    assert "from ¥68.00" in html


@pytest.mark.parametrize("count", [1, 48])
def test_the_square_grid_is_one_query_too(count, django_assert_num_queries):
    make_goods(ShopFactory(), count)
    make_goods(ShopFactory(status="closed"), 2)
    PublishedProductFactory(status="draft")

    with django_assert_num_queries(1):
        html = render_to_string(
            "catalog/product_grid.html",
            {"products": selectors.product_list_published()[:48]},
        )

    assert html.count('<li class="product-card') == count


@pytest.mark.parametrize("extra", [0, 8])
def test_the_product_page_runs_a_bounded_number_of_queries(
    client, published, extra, django_assert_max_num_queries
):
    for _ in range(extra):
        ProductPhoto.objects.create(product=published, image=ImageFactory())
        VariantFactory(product=published)
    client.force_login(UserFactory())

    # session, user, the bell, the stall, the product (joined), variants, photos,
    # own-test photos, member?
    with django_assert_max_num_queries(9):
        response = client.get(published.get_absolute_url())

    assert response.status_code == 200
