"""Helpers for the review tests: a stall with a product, buyers with orders in
any state, reviews written through the service, photos drawn with Pillow."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from orders.models import Status
from reviews import services
from tests.catalog.factories import ProvenanceFactory, PublishedProductFactory, VariantFactory
from tests.factories import ShopFactory, UserFactory
from tests.orders.factories import make_order


def photo(size=(640, 640), colour=(200, 120, 40)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def make_stall(owner=None, *, slug="lao-gao", title="铁观音 Tieguanyin"):
    """(shop, product, variant) of a published product with complete provenance."""
    owner = owner or UserFactory(display_name="Lao Gao")
    shop = ShopFactory(owner=owner, name=f"{slug} stall", slug=slug)
    product = PublishedProductFactory(shop=shop, title=title, slug=f"{slug}-goods")
    ProvenanceFactory(product=product)
    variant = VariantFactory(product=product, sku=f"{slug}-250", name="250 g", stock=50)
    return shop, product, variant


def bought(variant, buyer=None, status=Status.RECEIVED, quantity=1):
    """The order line ``buyer`` bought of ``variant``, its order in ``status``."""
    order = make_order(
        buyer=buyer or UserFactory(), variants=[variant], status=status, quantities=[quantity]
    )
    return order.lines.get()


def review_of(
    variant, *, rating=5, text="好茶 Good tea", buyer=None, status=Status.RECEIVED, photos=()
):
    line = bought(variant, buyer=buyer, status=status)
    return services.review_create(
        order_line=line, actor=line.order.buyer, rating=rating, text=text, photos=photos
    )
