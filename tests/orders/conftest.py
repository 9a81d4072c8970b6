import pytest

from tests.catalog.factories import ProvenanceFactory, PublishedProductFactory, VariantFactory
from tests.factories import ShopFactory


@pytest.fixture
def shop(owner):
    """老高's tea stall: ¥10 shipping, free from ¥199, and direct payment accepted."""
    return ShopFactory(
        owner=owner,
        name="老高的茶叶铺",
        slug="lao-gao-de-cha-ye-pu",
        shipping_fee="10.00",
        free_shipping_over="199.00",
        payment_instructions="招商银行 6225 8801 2345 6789 (高建国)",
    )


@pytest.fixture
def variant(shop):
    """铁观音 250 g, ¥68, 10 in stock, complete provenance, published."""
    product = PublishedProductFactory(shop=shop, title="铁观音 Tieguanyin", slug="tie-guan-yin")
    ProvenanceFactory(product=product)
    return VariantFactory(product=product, sku="TGY-250", stock=10)


@pytest.fixture
def other_shop(stranger):
    return ShopFactory(owner=stranger, name="Other stall", slug="other-stall")
