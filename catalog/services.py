"""Every write to the catalogue: goods, variants, stock, provenance, photos, moderation."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    RESERVED_SLUGS,
    Completeness,
    OwnTestPhoto,
    Product,
    ProductPhoto,
    ProvenanceCard,
    Status,
    StockMovement,
    Variant,
)
from catalog.search import index_text
from microstore.errors import DomainError
from microstore.images.models import Purpose
from microstore.images.services import image_create
from microstore.money import quantize
from microstore.notifications import notify
from shops.services import shop_owners, slug_base

SLUG_MAX = 60
SKU_MAX = 40
MAX_VARIANTS = 30
MAX_PHOTOS = 9
MAX_OWN_TEST_PHOTOS = 4
MIN_PRICE = Decimal("0.01")

PRODUCT_FIELDS = ("title", "description", "category", "tags", "own_test_notes")
PROVENANCE_FIELDS = (
    "manufacturer",
    "manufacturer_address",
    "origin",
    "production_date",
    "batch",
    "shelf_life",
    "licence_number",
)


class InvalidTransition(DomainError):
    def __init__(self, old: str, new: str):
        super().__init__(
            _("A product that is %(old)s cannot become %(new)s.")
            % {"old": Status(old).label, "new": Status(new).label}
        )


class OutOfStock(DomainError):
    def __init__(self, variant: Variant, wanted: int):
        self.variant = variant
        self.wanted = wanted
        if variant.stock == 0:
            super().__init__(_("“%(name)s” is sold out.") % {"name": str(variant)})
            return
        super().__init__(
            _("Only %(stock)s of “%(name)s” left; %(wanted)s asked for.")
            % {"stock": variant.stock, "name": str(variant), "wanted": wanted}
        )


class ProvenanceIncomplete(DomainError):
    """Publishing in a ``requires_provenance`` category with requirements not met.

    ``missing`` holds the requirement keys of ``ProvenanceCard.REQUIRED``, in form order.
    """

    def __init__(self, category, missing: list[str]):
        labels = ProvenanceCard.requirement_labels()
        self.missing = missing
        super().__init__(
            _(
                "Goods in “%(category)s” need a complete provenance card before they are "
                "published. Still missing: %(fields)s."
            )
            % {
                "category": category.label,
                "fields": ", ".join(str(labels[key]) for key in missing),
            }
        )


@dataclass
class VariantRow:
    """One row of the variants form, as the service takes it."""

    id: int | None = None
    options: dict = field(default_factory=dict)
    sku: str = ""
    price: Decimal = MIN_PRICE
    was_price: Decimal | None = None
    stock: int = 0
    low_stock_threshold: int = 5
    weight_grams: int | None = None
    delete: bool = False


@dataclass
class PhotoChange:
    id: int
    alt_text: str = ""
    position: int = 0
    delete: bool = False


# --- slugs and SKUs ---------------------------------------------------------------------------


def unique_product_slug(*, shop, title: str, product_id: int | None = None) -> str:
    """A slug no other product of this stall has: "西湖龙井" → "xi-hu-long-jing", then "-2"…"""
    base = slug_base(title)[:SLUG_MAX].strip("-") or "item"
    taken = set(
        Product.objects.filter(shop=shop, slug__startswith=base)
        .exclude(pk=product_id)
        .values_list("slug", flat=True)
    )
    taken |= RESERVED_SLUGS
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base[: SLUG_MAX - len(str(n)) - 1]}-{n}"
    return slug


_NON_SKU = re.compile(r"[^A-Z0-9]+")


def _sku_base(product: Product) -> str:
    return _NON_SKU.sub("-", product.slug.upper()).strip("-")[:30] or "ITEM"


def _free_sku(*, product: Product, taken: set[str]) -> str:
    base, n = _sku_base(product), 1
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _clean_tags(tags) -> list[str]:
    seen = []
    for tag in tags or []:
        tag = " ".join(str(tag).split())[:30]
        if tag and tag.lower() not in (t.lower() for t in seen):
            seen.append(tag)
    return seen[:10]


# --- products ----------------------------------------------------------------------------------


@transaction.atomic
def product_save(
    *,
    shop,
    actor,
    product: Product | None = None,
    fields: dict,
    variants: list[VariantRow],
    provenance: dict | None = None,
    certificate=None,
    remove_certificate: bool = False,
    new_photos=(),
    photo_changes: list[PhotoChange] = (),
    new_own_test_photos=(),
    own_test_removed=(),
) -> Product:
    """Create (``product=None``) or update a product with everything the edit page holds.

    One transaction: the rows are checked first and the photos stored last, so a refused
    change leaves nothing behind.
    """
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    if shop.is_closed:
        raise DomainError(_("A closed stall cannot change its goods."))
    fields = {**fields, "tags": _clean_tags(fields.get("tags"))}
    if product is None:
        product = Product(shop=shop, **fields)
        product.slug = unique_product_slug(shop=shop, title=product.title)
        _index(product)
        product.save()
    else:
        product = Product.objects.select_for_update().get(pk=product.pk, shop=shop)
        for name, value in fields.items():
            setattr(product, name, value)
        changed = _index(product)
        product.save(update_fields=[*fields, *changed, "updated_at"])

    variants_save(product=product, actor=actor, rows=variants)
    if provenance is not None or certificate or remove_certificate:
        provenance_save(
            product=product,
            actor=actor,
            fields=provenance or {},
            certificate=certificate,
            remove_certificate=remove_certificate,
        )
    if photo_changes:
        photos_update(product=product, actor=actor, changes=photo_changes)
    if own_test_removed:
        OwnTestPhoto.objects.filter(product=product, pk__in=own_test_removed).delete()
    if new_photos:
        photos_add(product=product, actor=actor, uploads=new_photos)
    if new_own_test_photos:
        own_test_photos_add(product=product, actor=actor, uploads=new_own_test_photos)
    return product


@transaction.atomic
def variants_save(*, product: Product, actor, rows: list[VariantRow]) -> list[Variant]:
    """Create, change and delete a product's variants; stock changes go through the locked
    stock path. Ids must be this product's own variants (``access`` has checked; this is the
    last line)."""
    ids = [row.id for row in rows if row.id]
    existing = {
        variant.pk: variant
        for variant in Variant.objects.select_for_update()
        .filter(product=product, pk__in=ids)
        .order_by("pk")
    }
    if len(existing) != len(set(ids)):
        raise DomainError(_("One of the variants is not part of this product."))
    kept = [row for row in rows if not row.delete]
    if not kept:
        raise DomainError(_("A product needs at least one variant with a price."))
    if len(kept) > MAX_VARIANTS:
        raise DomainError(_("A product can have at most %(max)s variants.") % {"max": MAX_VARIANTS})

    deleted = [row.id for row in rows if row.delete and row.id]
    others = set(
        Variant.objects.filter(shop_id=product.shop_id)
        .exclude(pk__in=[row.id for row in kept if row.id] + deleted)
        .values_list("sku", flat=True)
    )
    wanted = [row.sku.strip() for row in kept if row.sku.strip()]
    clash = sorted({sku for sku in wanted if sku in others or wanted.count(sku) > 1})
    if clash:
        raise DomainError(
            _("The SKU %(sku)s is already used in your stall; each variant needs its own.")
            % {"sku": ", ".join(clash)}
        )
    for row in kept:
        price = quantize(row.price)
        was_price = quantize(row.was_price) if row.was_price is not None else None
        if price < MIN_PRICE:
            raise DomainError(_("A price must be at least ¥0.01."))
        if was_price is not None and was_price <= price:
            raise DomainError(_("The “was” price must be higher than the price."))
        if row.stock < 0:
            raise DomainError(_("Stock cannot be below zero."))

    if deleted:
        Variant.objects.filter(product=product, pk__in=deleted).delete()
    taken = others | set(wanted)
    saved = []
    for position, row in enumerate(kept):
        options = {key: " ".join(str(v).split()) for key, v in row.options.items() if v}
        values = {
            "options": options,
            "name": Variant.name_from(options),
            "price": quantize(row.price),
            "was_price": quantize(row.was_price) if row.was_price is not None else None,
            "low_stock_threshold": row.low_stock_threshold,
            "weight_grams": row.weight_grams,
            "position": position,
        }
        sku = row.sku.strip()
        if row.id:
            variant = existing[row.id]
            values["sku"] = sku or variant.sku
            for name, value in values.items():
                setattr(variant, name, value)
            variant.save(update_fields=[*values, "updated_at"])
            if variant.stock != row.stock:
                variant = _stock_set_locked(variant, row.stock, actor=actor)
        else:
            if not sku:
                sku = _free_sku(product=product, taken=taken)
                taken.add(sku)
            variant = Variant.objects.create(
                product=product, shop_id=product.shop_id, sku=sku, stock=0, **values
            )
            if row.stock:
                variant = _stock_adjust_locked(
                    variant, row.stock, actor=actor, reason=StockMovement.Reason.INITIAL
                )
        saved.append(variant)
    _variant_columns_refresh(product)
    return saved


def product_transition(*, product: Product, to: Status, actor) -> Product:
    """Publish or unpublish. Locks the row; the same state again is harmless."""
    with transaction.atomic():
        product = (
            Product.objects.select_for_update(of=("self",))
            .select_related("category", "shop")
            .get(pk=product.pk)
        )
        if product.status == to:
            return product
        if not product.can_transition_to(to):
            raise InvalidTransition(product.status, to)
        if to == Status.PUBLISHED:
            _check_publishable(product)
            product.published_at = product.published_at or timezone.now()
        product.status = to
        product.save(update_fields=["status", "published_at", "updated_at"])
    return product


def product_publish(*, product: Product, actor) -> Product:
    return product_transition(product=product, to=Status.PUBLISHED, actor=actor)


def product_unpublish(*, product: Product, actor) -> Product:
    return product_transition(product=product, to=Status.DRAFT, actor=actor)


def _check_publishable(product: Product) -> None:
    if product.shop.is_closed:
        raise DomainError(_("A closed stall cannot publish goods."))
    if not product.variants.exists():
        raise DomainError(_("Add at least one variant with a price before publishing."))
    if product.category.requires_provenance:
        card = ProvenanceCard.objects.filter(product=product).first() or ProvenanceCard()
        missing = card.missing()
        if missing:
            raise ProvenanceIncomplete(product.category, missing)


@transaction.atomic
def product_duplicate(*, product: Product, actor) -> Product:
    """A draft copy with the same variants (no stock), provenance and photos."""
    source = Product.objects.select_related("shop").get(pk=product.pk)
    if source.shop.is_closed:
        raise DomainError(_("A closed stall cannot change its goods."))
    title = str(_("%(title)s (copy)") % {"title": source.title})[:120]
    copy = Product.objects.create(
        shop=source.shop,
        title=title,
        slug=unique_product_slug(shop=source.shop, title=title),
        description=source.description,
        category_id=source.category_id,
        tags=list(source.tags),
        own_test_notes=source.own_test_notes,
        cover_id=source.cover_id,
        top_category_id=source.top_category_id,
        price_min=source.price_min,
        was_price_min=source.was_price_min,
        variant_count=source.variant_count,
        stock_total=0,
        provenance_complete=source.provenance_complete,
        **index_text(title=title, description=source.description, tags=source.tags),
    )
    taken = set(Variant.objects.filter(shop=source.shop).values_list("sku", flat=True))
    for variant in source.variants.all():
        sku = _free_sku(product=copy, taken=taken)
        taken.add(sku)
        Variant.objects.create(
            product=copy,
            shop=source.shop,
            options=dict(variant.options),
            name=variant.name,
            sku=sku,
            price=variant.price,
            was_price=variant.was_price,
            stock=0,
            low_stock_threshold=variant.low_stock_threshold,
            weight_grams=variant.weight_grams,
            position=variant.position,
        )
    card = ProvenanceCard.objects.filter(product=source).first()
    if card:
        card.pk = None
        card.id = None
        card.product = copy
        card._state.adding = True
        card.save()
    ProductPhoto.objects.bulk_create(
        ProductPhoto(product=copy, image_id=p.image_id, position=p.position, alt_text=p.alt_text)
        for p in source.photos.all()
    )
    OwnTestPhoto.objects.bulk_create(
        OwnTestPhoto(product=copy, image_id=p.image_id, position=p.position)
        for p in source.own_test_photos.all()
    )
    return copy


@transaction.atomic
def product_hide(*, product: Product, actor, reason: str) -> Product:
    """Moderation: take a product off every shopper page and tell the stall's owner why."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the product is hidden; the seller is told."))
    product = (
        Product.objects.select_for_update(of=("self",)).select_related("shop").get(pk=product.pk)
    )
    if product.status == Status.HIDDEN and product.hidden_reason == reason:
        return product
    product.status = Status.HIDDEN
    product.hidden_reason = reason
    product.save(update_fields=["status", "hidden_reason", "updated_at"])
    for owner in shop_owners(product.shop):
        notify(
            recipient=owner,
            kind="catalog.product_hidden",
            context={"title": product.title, "reason": reason, "shop_name": product.shop.name},
            target=product,
            actor=actor,
        )
    return product


@transaction.atomic
def product_unhide(*, product: Product, actor) -> Product:
    """Moderation lifted: the product goes back to draft; its seller publishes it again."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.status != Status.HIDDEN:
        return product
    product.status = Status.DRAFT
    product.hidden_reason = ""
    product.save(update_fields=["status", "hidden_reason", "updated_at"])
    return product


# --- derived columns ---------------------------------------------------------------------------
# Product.price_min, was_price_min, stock_total, variant_count, provenance_complete and the
# search columns let grids filter and sort on one indexed table. Every service above that
# changes what they derive from keeps them right; product_derived_refresh rebuilds them all.


def _index(product: Product) -> list[str]:
    """Set the search columns (from title, description and tags) and the top-level category;
    the names of those that changed."""
    values = index_text(title=product.title, description=product.description, tags=product.tags)
    values["top_category_id"] = product.category.parent_id or product.category_id
    changed = [name for name, value in values.items() if getattr(product, name) != value]
    for name in changed:
        setattr(product, name, values[name])
    return changed


def _variant_columns_refresh(product: Product) -> None:
    variants = list(
        Variant.objects.filter(product=product)
        .order_by("price", "pk")
        .values_list("price", "was_price", "stock")
    )
    values = {
        "price_min": variants[0][0] if variants else None,
        "was_price_min": variants[0][1] if variants else None,
        "stock_total": sum(stock for _price, _was, stock in variants),
        "variant_count": len(variants),
    }
    Product.objects.filter(pk=product.pk).update(**values)
    for name, value in values.items():
        setattr(product, name, value)


@transaction.atomic
def product_derived_refresh(*, product: Product) -> Product:
    """Recompute every derived column of ``product`` from its variants, card and text (for
    rows written outside these services: fixtures, repairs, the admin)."""
    product = (
        Product.objects.select_for_update(of=("self",))
        .select_related("category")
        .get(pk=product.pk)
    )
    card = ProvenanceCard.objects.filter(product=product).first()
    product.provenance_complete = bool(card) and card.completeness == Completeness.COMPLETE
    changed = _index(product)
    product.save(update_fields=["provenance_complete", *changed])
    _variant_columns_refresh(product)
    return product


# --- stock -------------------------------------------------------------------------------------


def _stock_adjust_locked(variant: Variant, delta: int, *, actor, reason: str) -> Variant:
    """``variant`` is locked by the caller (or new in this transaction)."""
    new_stock = variant.stock + delta
    if new_stock < 0:
        raise OutOfStock(variant, -delta)
    Variant.objects.filter(pk=variant.pk).update(
        stock=F("stock") + delta, updated_at=timezone.now()
    )
    Product.objects.filter(pk=variant.product_id).update(stock_total=F("stock_total") + delta)
    variant.stock = new_stock
    StockMovement.objects.create(
        variant=variant, delta=delta, stock_after=new_stock, reason=reason, actor=actor
    )
    return variant


def _stock_set_locked(variant: Variant, stock: int, *, actor) -> Variant:
    if stock < 0:
        raise DomainError(_("Stock cannot be below zero."))
    delta = stock - variant.stock
    if delta == 0:
        return variant
    return _stock_adjust_locked(
        variant, delta, actor=actor, reason=StockMovement.Reason.SELLER_EDIT
    )


def _lock_products_of(variant_ids) -> None:
    """Stock changes also move ``Product.stock_total``: lock the product rows (by primary key)
    before the variants, the same order as ``product_save``, so the two never wait on each
    other."""
    product_ids = Variant.objects.filter(pk__in=variant_ids).values_list("product_id", flat=True)
    list(
        Product.objects.select_for_update()
        .filter(pk__in=product_ids)
        .order_by("pk")
        .values_list("pk")
    )


@transaction.atomic
def variant_stock_adjust(*, variant_id: int, delta: int, actor, reason: str) -> Variant:
    """Add (or, negative, take) stock. Locks the row first, so two buyers of the last item
    cannot both get it; refuses to go below zero. Writes a ``StockMovement``."""
    _lock_products_of([variant_id])
    variant = Variant.objects.select_for_update().select_related("product").get(pk=variant_id)
    return _stock_adjust_locked(variant, delta, actor=actor, reason=reason)


# Tests only: False makes ``variants_stock_move`` do what it would do without row locks (read,
# then write back the number it read), so a concurrency test can show that it then oversells.
STOCK_LOCKING = True


@transaction.atomic
def variants_stock_move(*, moves: dict[int, int], actor, reason: str) -> dict[int, Variant]:
    """Take (negative) or give back (positive) stock of several variants at once, all or
    nothing: checkout, cancelled orders, returns.

    Rows are locked in one fixed order, products by primary key and then variants by primary
    key, so two carts holding the same goods in a different order wait for each other instead
    of deadlocking. Raises ``OutOfStock`` naming the first variant that has too few.
    """
    moves = {variant_id: delta for variant_id, delta in moves.items() if delta}
    if not moves:
        return {}
    if not STOCK_LOCKING:
        return _stock_move_unlocked(moves, actor=actor, reason=reason)
    _lock_products_of(moves)
    variants = {
        variant.pk: variant
        for variant in Variant.objects.select_for_update(of=("self",))
        .filter(pk__in=moves)
        .select_related("product")
        .order_by("pk")
    }
    if len(variants) != len(moves):
        raise DomainError(_("One of these goods no longer exists."))
    for variant_id in sorted(moves):
        variant = variants[variant_id]
        if variant.stock + moves[variant_id] < 0:
            raise OutOfStock(variant, -moves[variant_id])
    for variant_id in sorted(moves):
        _stock_adjust_locked(variants[variant_id], moves[variant_id], actor=actor, reason=reason)
    return variants


def _stock_move_unlocked(moves: dict[int, int], *, actor, reason: str) -> dict[int, Variant]:
    """The naive read-modify-write the locks above prevent. Never used outside tests."""
    variants = {v.pk: v for v in Variant.objects.filter(pk__in=moves).select_related("product")}
    for variant_id, delta in sorted(moves.items()):
        variant = variants[variant_id]
        if variant.stock + delta < 0:
            raise OutOfStock(variant, -delta)
    for variant_id, delta in sorted(moves.items()):
        variant = variants[variant_id]
        variant.stock += delta
        Variant.objects.filter(pk=variant_id).update(stock=variant.stock)
        StockMovement.objects.create(
            variant=variant, delta=delta, stock_after=variant.stock, reason=reason, actor=actor
        )
    return variants


@transaction.atomic
def variant_stock_set(*, variant: Variant, stock: int, actor) -> Variant:
    """The seller's "I have this many now", through the same locking path."""
    _lock_products_of([variant.pk])
    variant = Variant.objects.select_for_update().select_related("product").get(pk=variant.pk)
    return _stock_set_locked(variant, stock, actor=actor)


@transaction.atomic
def variants_stock_set(*, product: Product, stocks: dict[int, int], actor) -> list[Variant]:
    """Set the stock of several variants of one product; rows locked in primary-key order."""
    list(Product.objects.select_for_update().filter(pk=product.pk).values_list("pk"))
    variants = list(
        Variant.objects.select_for_update()
        .filter(product=product, pk__in=stocks)
        .select_related("product")
        .order_by("pk")
    )
    if len(variants) != len(stocks):
        raise DomainError(_("One of the variants is not part of this product."))
    return [_stock_set_locked(v, stocks[v.pk], actor=actor) for v in variants]


# --- provenance ---------------------------------------------------------------------------------


@transaction.atomic
def provenance_save(
    *, product: Product, actor, fields: dict, certificate=None, remove_certificate=False
) -> ProvenanceCard:
    unknown = set(fields) - set(PROVENANCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown provenance fields: {sorted(unknown)}")
    card, _created = ProvenanceCard.objects.select_for_update().get_or_create(product=product)
    for name, value in fields.items():
        setattr(card, name, value.strip() if isinstance(value, str) else value)
    if remove_certificate:
        card.certificate = None
    if certificate:
        card.certificate = image_create(upload=certificate, purpose=Purpose.PRODUCT, owner=actor)
    card.save()
    complete = card.completeness == Completeness.COMPLETE
    if product.provenance_complete != complete:
        product.provenance_complete = complete
        Product.objects.filter(pk=product.pk).update(provenance_complete=complete)
    return card


# --- photos -------------------------------------------------------------------------------------


def _refresh_cover(product: Product) -> None:
    first = ProductPhoto.objects.filter(product=product).order_by("position", "pk").first()
    cover_id = first.image_id if first else None
    if product.cover_id != cover_id:
        product.cover_id = cover_id
        Product.objects.filter(pk=product.pk).update(cover_id=cover_id)


@transaction.atomic
def photos_add(*, product: Product, actor, uploads, alt_text: str = "") -> list[ProductPhoto]:
    """Add photos at the end of the gallery (the first one ever becomes the cover)."""
    count = ProductPhoto.objects.filter(product=product).count()
    if count + len(uploads) > MAX_PHOTOS:
        raise DomainError(
            _("A product can have at most %(max)s photos; remove some first.") % {"max": MAX_PHOTOS}
        )
    last = ProductPhoto.objects.filter(product=product).aggregate(m=Max("position"))["m"]
    start = -1 if last is None else last
    photos = []
    for offset, upload in enumerate(uploads, start=1):
        image = image_create(upload=upload, purpose=Purpose.PRODUCT, owner=actor)
        photos.append(
            ProductPhoto.objects.create(
                product=product,
                image=image,
                position=start + offset,
                alt_text=alt_text or product.title,
            )
        )
    _refresh_cover(product)
    return photos


@transaction.atomic
def photos_update(*, product: Product, actor, changes: list[PhotoChange]) -> None:
    """Alt texts, order and removals; positions are renumbered 0, 1, 2… afterwards."""
    photos = {p.pk: p for p in ProductPhoto.objects.select_for_update().filter(product=product)}
    if any(change.id not in photos for change in changes):
        raise DomainError(_("One of the photos is not part of this product."))
    for change in changes:
        photo = photos[change.id]
        if change.delete:
            photo.delete()
            del photos[change.id]
            continue
        photo.alt_text = change.alt_text.strip()[:200]
        photo.position = change.position
    ordered = sorted(photos.values(), key=lambda p: (p.position, p.pk))
    for position, photo in enumerate(ordered):
        photo.position = position
    ProductPhoto.objects.bulk_update(ordered, ["alt_text", "position"])
    _refresh_cover(product)


@transaction.atomic
def own_test_photos_add(*, product: Product, actor, uploads) -> list[OwnTestPhoto]:
    count = OwnTestPhoto.objects.filter(product=product).count()
    if count + len(uploads) > MAX_OWN_TEST_PHOTOS:
        raise DomainError(
            _("The seller's own test has room for %(max)s photos; remove some first.")
            % {"max": MAX_OWN_TEST_PHOTOS}
        )
    last = OwnTestPhoto.objects.filter(product=product).aggregate(m=Max("position"))["m"]
    start = -1 if last is None else last
    return [
        OwnTestPhoto.objects.create(
            product=product,
            image=image_create(upload=upload, purpose=Purpose.PRODUCT, owner=actor),
            position=start + offset,
        )
        for offset, upload in enumerate(uploads, start=1)
    ]
