import pytest

from tests.catalog.factories import ProvenanceFactory, PublishedProductFactory, VariantFactory
from tests.factories import ShopFactory, UserFactory


@pytest.fixture
def shop(owner):
    """老高's tea stall."""
    return ShopFactory(owner=owner, name="老高的茶叶铺", slug="lao-gao-de-cha-ye-pu")


@pytest.fixture
def product(shop):
    product = PublishedProductFactory(shop=shop, title="铁观音 Tieguanyin", slug="tie-guan-yin")
    ProvenanceFactory(product=product)
    return product


@pytest.fixture
def variant(product):
    return VariantFactory(product=product, sku="TGY-250", stock=50)


@pytest.fixture
def sharer(db):
    return UserFactory(display_name="A Sharer")
