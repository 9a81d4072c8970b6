from decimal import Decimal
from functools import partial

import pytest
from django.db import IntegrityError, transaction

from catalog import services
from catalog.models import Product, ProductPhoto, ProvenanceCard, Status, StockMovement, Variant
from catalog.services import PhotoChange, VariantRow
from microstore.errors import DomainError
from microstore.money import quantize
from microstore.notifications.models import Notification, OutgoingEmail
from tests.catalog.factories import (
    ImageFactory,
    ProductFactory,
    ProvenanceFactory,
    VariantFactory,
    category,
)
from tests.factories import ShopFactory
from tests.parallel import at_once

pytestmark = pytest.mark.django_db

FIELDS = {
    "title": "西湖龙井 Longjing",
    "description": "Pan-fired green tea.",
    "category": None,
    "tags": ["green tea", "Hangzhou", "green tea"],
    "own_test_notes": "",
}


def fields(**overrides):
    return {**FIELDS, "category": category("tea"), **overrides}


# --- money ------------------------------------------------------------------------------------


def test_quantize_rounds_half_up_to_the_cent():
    assert quantize("2.345") == Decimal("2.35")
    assert quantize(0.1) == Decimal("0.10")
    assert quantize(Decimal("7")) == Decimal("7.00")
    with pytest.raises(ValueError, match="not an amount"):
        quantize("ten yuan")


# --- creating and editing ----------------------------------------------------------------------


def test_a_product_with_one_variant_gets_a_pinyin_slug_a_sku_and_opening_stock(shop, owner):
    product = services.product_save(
        shop=shop,
        actor=owner,
        fields=fields(),
        variants=[VariantRow(price=Decimal("128"), stock=20)],
    )

    variant = product.variants.get()
    assert product.slug == "xi-hu-long-jing-longjing"
    assert product.status == Status.DRAFT
    assert product.tags == ["green tea", "Hangzhou"]
    assert variant.sku == "XI-HU-LONG-JING-LONGJING-1"
    assert (variant.price, variant.stock, variant.name) == (Decimal("128.00"), 20, "")
    movement = StockMovement.objects.get(variant=variant)
    assert (movement.delta, movement.stock_after, movement.reason) == (20, 20, "initial")
    assert movement.actor == owner


def test_slugs_are_unique_per_stall_and_avoid_reserved_paths(shop, owner):
    first = services.product_save(
        shop=shop, actor=owner, fields=fields(), variants=[VariantRow(price=Decimal(1))]
    )
    second = services.product_save(
        shop=shop, actor=owner, fields=fields(), variants=[VariantRow(price=Decimal(1))]
    )
    elsewhere = services.product_save(
        shop=ShopFactory(), actor=owner, fields=fields(), variants=[VariantRow(price=Decimal(1))]
    )
    new = services.product_save(
        shop=shop, actor=owner, fields=fields(title="New"), variants=[VariantRow(price=Decimal(1))]
    )

    assert second.slug == f"{first.slug}-2"
    assert elsewhere.slug == first.slug
    assert new.slug == "new-2"


def test_variants_are_changed_added_and_deleted_in_one_go(product, owner):
    old = product.variants.get()
    rows = [
        VariantRow(id=old.pk, options={"size": "100 g"}, sku="TGY-100", price=Decimal("38")),
        VariantRow(options={"size": "500 g", "style": "tin"}, price=Decimal("268"), stock=3),
    ]

    services.variants_save(product=product, actor=owner, rows=rows)

    small, large = product.variants.order_by("position")
    assert (small.pk, small.sku, small.name, small.stock) == (old.pk, "TGY-100", "100 g", 0)
    assert large.name == "500 g · tin"
    assert large.sku == "TIE-GUAN-YIN-1"
    assert StockMovement.objects.filter(variant=small, delta=-10, reason="seller_edit").exists()

    services.variants_save(
        product=product,
        actor=owner,
        rows=[
            VariantRow(id=small.pk, delete=True),
            VariantRow(id=large.pk, price=large.price, stock=3, options=large.options),
        ],
    )
    assert list(product.variants.values_list("name", flat=True)) == ["500 g · tin"]


def test_another_products_variant_cannot_be_changed_through_this_one(product, owner):
    foreign = VariantFactory(product=ProductFactory(), price=Decimal("5.00"))

    with pytest.raises(DomainError, match="not part of this product"):
        services.variants_save(
            product=product,
            actor=owner,
            rows=[VariantRow(id=foreign.pk, price=Decimal("0.01"), stock=0)],
        )

    foreign.refresh_from_db()
    assert (foreign.price, foreign.stock) == (Decimal("5.00"), 10)


def test_rules_on_variants(product, owner):
    VariantFactory(product=ProductFactory(shop=product.shop), sku="TAKEN")

    cases = [
        ([], "at least one variant"),
        ([VariantRow(price=Decimal("10"), was_price=Decimal("9"))], "higher than the price"),
        ([VariantRow(price=Decimal("0.004"))], "at least ¥0.01"),
        ([VariantRow(price=Decimal("10"), sku="TAKEN")], "TAKEN is already used"),
        ([VariantRow(price=Decimal(1), sku="A"), VariantRow(price=Decimal(2), sku="A")], "A is"),
    ]
    for rows, message in cases:
        with pytest.raises(DomainError, match=message):
            services.variants_save(product=product, actor=owner, rows=rows)


# --- stock ------------------------------------------------------------------------------------


def test_stock_adjust_writes_a_movement_and_refuses_to_go_below_zero(product, owner):
    variant = product.variants.get()

    services.variant_stock_adjust(variant_id=variant.pk, delta=-4, actor=None, reason="sale")
    with pytest.raises(DomainError, match="Only 6"):
        services.variant_stock_adjust(variant_id=variant.pk, delta=-7, actor=None, reason="sale")

    variant.refresh_from_db()
    assert variant.stock == 6
    assert list(variant.movements.values_list("delta", "stock_after")) == [(-4, 6)]


def test_the_database_refuses_negative_stock_and_bad_prices(product):
    variant = product.variants.get()

    for change in [
        {"stock": -1},
        {"price": Decimal("0")},
        {"was_price": Decimal("1.00")},  # not above the price
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Variant.objects.filter(pk=variant.pk).update(**change)


def test_seller_sets_stock_through_the_same_path(product, owner):
    variant = product.variants.get()

    services.variant_stock_set(variant=variant, stock=25, actor=owner)
    services.variant_stock_set(variant=variant, stock=25, actor=owner)  # no change, no row

    assert list(variant.movements.values_list("delta", "stock_after", "reason")) == [
        (15, 25, "seller_edit")
    ]
    with pytest.raises(DomainError):
        services.variant_stock_set(variant=variant, stock=-1, actor=owner)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_decrements_never_oversell():
    """Eight buyers, each on their own connection, race for the last five items."""
    variant = VariantFactory(stock=5)
    buy = partial(
        services.variant_stock_adjust, variant_id=variant.pk, delta=-1, actor=None, reason="sale"
    )

    results = at_once([buy] * 8)

    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)]
    outcomes = ["refused" if isinstance(r, DomainError) else "sold" for r in results]
    variant.refresh_from_db()
    assert sorted(outcomes) == ["refused"] * 3 + ["sold"] * 5
    assert variant.stock == 0
    assert sorted(variant.movements.values_list("stock_after", flat=True)) == [0, 1, 2, 3, 4]


# --- publishing --------------------------------------------------------------------------------


def test_publish_needs_a_complete_provenance_card_and_says_what_is_missing(shop, owner):
    product = ProductFactory(shop=shop)
    VariantFactory(product=product)
    ProvenanceFactory(product=product, manufacturer="", batch="", licence_number="")

    with pytest.raises(services.ProvenanceIncomplete) as caught:
        services.product_publish(product=product, actor=owner)

    assert caught.value.missing == ["manufacturer", "date_or_batch", "licence_number"]
    assert caught.value.message == (
        "Goods in “Tea” need a complete provenance card before they are published. Still "
        "missing: manufacturer, production date or batch number, licence or certificate number."
    )
    product.refresh_from_db()
    assert product.status == Status.DRAFT


def test_publish_without_any_card_lists_everything(shop, owner):
    product = ProductFactory(shop=shop)
    VariantFactory(product=product)

    with pytest.raises(services.ProvenanceIncomplete) as caught:
        services.product_publish(product=product, actor=owner)

    assert caught.value.missing == list(ProvenanceCard.REQUIRED)


def test_goods_in_other_categories_publish_without_a_card(shop, owner):
    product = ProductFactory(shop=shop, category=category("ceramics-tableware"))
    VariantFactory(product=product)

    product = services.product_publish(product=product, actor=owner)
    published_at = product.published_at
    product = services.product_publish(product=product, actor=owner)  # again: harmless

    assert product.status == Status.PUBLISHED
    assert product.published_at == published_at
    product = services.product_unpublish(product=product, actor=owner)
    assert product.status == Status.DRAFT


def test_publish_needs_a_variant_and_an_open_stall(shop, owner):
    product = ProductFactory(shop=shop, category=category("ceramics-tableware"))
    with pytest.raises(DomainError, match="at least one variant"):
        services.product_publish(product=product, actor=owner)

    VariantFactory(product=product)
    type(shop).objects.filter(pk=shop.pk).update(status="closed")
    with pytest.raises(DomainError, match="closed stall"):
        services.product_publish(product=product, actor=owner)


def test_hidden_goods_cannot_be_published_by_the_seller(product, owner):
    services.product_hide(product=product, actor=None, reason="Fake licence number.")

    with pytest.raises(DomainError, match="cannot become published"):
        services.product_publish(product=product, actor=owner)


# --- duplicate ---------------------------------------------------------------------------------


def test_duplicate_copies_variants_without_stock_provenance_and_photos(product, owner):
    image = ImageFactory()
    ProductPhoto.objects.create(product=product, image=image, alt_text="The tin")
    Product.objects.filter(pk=product.pk).update(cover=image)

    copy = services.product_duplicate(product=product, actor=owner)

    assert copy.title == "铁观音 Tieguanyin (copy)"
    assert copy.slug != product.slug
    assert copy.status == Status.DRAFT
    variant = copy.variants.get()
    assert (variant.price, variant.stock, variant.name) == (Decimal("68.00"), 0, "250 g")
    assert variant.sku != product.variants.get().sku
    assert copy.provenance.licence_number == "SC11435052400123"
    assert copy.provenance.pk != product.provenance.pk
    assert copy.cover == image
    assert copy.photos.get().alt_text == "The tin"


# --- photos ------------------------------------------------------------------------------------


def test_the_first_photo_is_the_cover_and_reordering_moves_it(product, owner):
    first, second = ImageFactory(), ImageFactory()
    a = ProductPhoto.objects.create(product=product, image=first, position=0)
    b = ProductPhoto.objects.create(product=product, image=second, position=1)

    services.photos_update(
        product=product,
        actor=owner,
        changes=[PhotoChange(id=a.pk, position=5), PhotoChange(id=b.pk, alt_text=" Tin ")],
    )

    product.refresh_from_db()
    assert product.cover == second
    assert list(product.photos.values_list("image", "position", "alt_text")) == [
        (second.pk, 0, "Tin"),
        (first.pk, 1, ""),
    ]
    services.photos_update(
        product=product, actor=owner, changes=[PhotoChange(id=b.pk, delete=True)]
    )
    product.refresh_from_db()
    assert product.cover == first


def test_photos_of_another_product_are_refused(product, owner):
    other = ProductPhoto.objects.create(product=ProductFactory(), image=ImageFactory())

    with pytest.raises(DomainError):
        services.photos_update(
            product=product, actor=owner, changes=[PhotoChange(id=other.pk, delete=True)]
        )
    assert ProductPhoto.objects.filter(pk=other.pk).exists()


# --- moderation -------------------------------------------------------------------------------


def test_hide_tells_the_owner_why_by_notification_and_email(product, owner, admin_user):
    services.product_hide(product=product, actor=admin_user, reason="The licence is not real.")
    services.product_hide(product=product, actor=admin_user, reason="The licence is not real.")

    product.refresh_from_db()
    assert product.status == Status.HIDDEN
    assert product.hidden_reason == "The licence is not real."
    notification = Notification.objects.get(recipient=owner)
    assert notification.kind == "catalog.product_hidden"
    assert notification.target_url == "/stalls/lao-gao-de-cha-ye-pu/goods/tie-guan-yin/"
    assert "The licence is not real." in notification.message
    mail = OutgoingEmail.objects.get(to=owner.email)
    assert "铁观音 Tieguanyin" in mail.subject
    assert "The licence is not real." in mail.body_text

    with pytest.raises(DomainError):
        services.product_hide(product=product, actor=admin_user, reason="  ")
    product = services.product_unhide(product=product, actor=admin_user)
    assert (product.status, product.hidden_reason) == (Status.DRAFT, "")
