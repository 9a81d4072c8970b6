"""The demo goods are made through the real services and pipeline, once."""

import pytest
from django.urls import reverse

from catalog import demo as catalog_demo
from catalog import selectors
from catalog.models import Completeness, Product, Status, Variant
from microstore import demo
from microstore.images.models import Status as ImageStatus

pytestmark = pytest.mark.django_db


def test_demo_goods_with_processed_photos_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    count = Product.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert catalog_demo.seed_goods() == 0  # idempotent

    assert count == sum(len(goods) for goods in catalog_demo.GOODS.values())
    assert Product.objects.filter(status=Status.DRAFT).count() == 1
    products = list(Product.objects.select_related("cover", "provenance"))
    assert all(p.cover and p.cover.status == ImageStatus.READY for p in products)
    assert all(min(p.cover.width, p.cover.height) >= 600 for p in products)
    assert len({p.cover.dominant_color for p in products}) > 5  # clearly different pictures
    completeness = [p.completeness for p in products]
    assert completeness.count(Completeness.PARTIAL) == 1
    assert completeness.count(Completeness.COMPLETE) == count - 1
    assert any(v.is_low_stock for v in Variant.objects.all()), "a low-stock variant"
    laogao = Product.objects.get(title__startswith="安溪黄金桂").shop
    assert selectors.product_list_for_shop(laogao).count() == 2  # the draft is not listed

    client.force_login(laogao.members.get().user)
    page = client.get(reverse("catalog:low-stock", args=[laogao.slug]))
    assert "250 g tin" in page.text


def test_demo_photos_differ_per_kind():
    kinds = ["tin", "leaves", "jar", "comb", "cup", "bowl", "pot"]
    photos = {catalog_demo.draw_product_photo(k, (250, 250, 250), (30, 70, 160)) for k in kinds}
    assert len(photos) == len(kinds)
