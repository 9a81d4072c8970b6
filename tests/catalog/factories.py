import uuid
from datetime import UTC
from decimal import Decimal

import factory

from catalog.models import Category, Product, ProvenanceCard, Variant
from catalog.search import index_text
from catalog.services import product_derived_refresh
from microstore.images.models import Image, Purpose, Status
from tests.factories import ShopFactory, _quick_user

DERIVED = (
    "top_category_id",
    "price_min",
    "was_price_min",
    "stock_total",
    "variant_count",
    "provenance_complete",
    "search_title",
    "search_body",
)


def refresh_derived(product: Product) -> Product:
    """Factories write rows directly, so the product's derived columns (kept by the services
    in real use) are recomputed here, on the instance the test holds too."""
    fresh = product_derived_refresh(product=product)
    for name in DERIVED:
        setattr(product, name, getattr(fresh, name))
    return product


def category(slug: str = "tea") -> Category:
    """One of the categories seeded by the data migration."""
    return Category.objects.get(slug=slug)


class ImageFactory(factory.django.DjangoModelFactory):
    """A product photo that is already processed (renditions named, no files): enough for
    pages and query counts without running the pipeline."""

    class Meta:
        model = Image

    id = factory.LazyFunction(uuid.uuid4)
    owner = factory.LazyFunction(_quick_user)  # no password hashing: grids make many
    purpose = Purpose.PRODUCT
    status = Status.READY
    format = "png"
    original = "originals/test.png"
    width = 800
    height = 800
    dominant_color = "#336699"
    renditions = factory.LazyAttribute(
        lambda o: [
            {"width": w, "height": w, "format": fmt, "name": f"img/{o.id}/{w}w-0123abcd.{ext}"}
            for w in (320, 800)
            for fmt, ext in (("webp", "webp"), ("jpeg", "jpg"))
        ]
    )


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    shop = factory.SubFactory(ShopFactory)
    title = factory.Sequence(lambda n: f"Tieguanyin {n}")
    slug = factory.Sequence(lambda n: f"tieguanyin-{n}")
    description = "Hand-rolled oolong from Anxi."
    category = factory.LazyFunction(lambda: category("tea"))
    status = Product.Status.DRAFT
    tags = factory.LazyFunction(list)
    top_category = factory.LazyAttribute(lambda o: o.category.parent or o.category)
    # As product_save would: the search columns from the title, description and tags.
    search_title = factory.LazyAttribute(
        lambda o: index_text(title=o.title, description=o.description, tags=o.tags)["search_title"]
    )
    search_body = factory.LazyAttribute(
        lambda o: index_text(title=o.title, description=o.description, tags=o.tags)["search_body"]
    )


class PublishedProductFactory(ProductFactory):
    status = Product.Status.PUBLISHED
    published_at = factory.Faker("date_time", tzinfo=UTC)


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    shop = factory.SelfAttribute("product.shop")
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    options = factory.LazyFunction(lambda: {"size": "250 g"})
    name = "250 g"
    price = Decimal("68.00")
    stock = 10

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        variant = super()._create(model_class, *args, **kwargs)
        refresh_derived(variant.product)
        return variant


class ProvenanceFactory(factory.django.DjangoModelFactory):
    """A complete card."""

    class Meta:
        model = ProvenanceCard

    product = factory.SubFactory(ProductFactory)
    manufacturer = "安溪县高山茶厂"
    manufacturer_address = "福建省泉州市安溪县感德镇 1 号"
    origin = "Gande, Anxi, Fujian"
    batch = "2025-SPRING-07"
    shelf_life = "18 months"
    licence_number = "SC11435052400123"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        card = super()._create(model_class, *args, **kwargs)
        refresh_derived(card.product)
        return card
