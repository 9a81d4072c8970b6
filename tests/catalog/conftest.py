import pytest

from tests.catalog.factories import (
    ProductFactory,
    ProvenanceFactory,
    PublishedProductFactory,
    VariantFactory,
)
from tests.factories import ShopFactory


@pytest.fixture
def shop(owner):
    return ShopFactory(owner=owner, name="老高的茶叶铺", slug="lao-gao-de-cha-ye-pu")


@pytest.fixture
def other_shop(stranger):
    """The stranger runs a stall of their own (a confirmed seller, just not ours)."""
    return ShopFactory(owner=stranger, name="Other stall", slug="other-stall")


@pytest.fixture
def product(shop):
    """A draft with one variant and a complete provenance card, in "Tea"."""
    product = ProductFactory(shop=shop, title="铁观音 Tieguanyin", slug="tie-guan-yin")
    VariantFactory(product=product, sku="TGY-250", stock=10)
    ProvenanceFactory(product=product)
    return product


@pytest.fixture
def published(shop):
    product = PublishedProductFactory(shop=shop, title="Spring oolong", slug="spring-oolong")
    VariantFactory(product=product, sku="SO-100", options={"size": "100 g"}, name="100 g")
    VariantFactory(product=product, sku="SO-250", options={"size": "250 g"}, name="250 g", stock=0)
    ProvenanceFactory(product=product)
    return product
