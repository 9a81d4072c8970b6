"""Goods on a stall: categories, products, their variants and stock, provenance, photos."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from microstore.images.models import Image
from microstore.money import CNY
from reviews.scoring import bayesian_mean
from shops.models import Shop

# Where a product with no visible review ranks under "best rated": the smoothed mean of no
# reviews, i.e. the prior. One 5★ review lifts a product above it, one 2★ review below.
UNRATED_RANK = bayesian_mean(total=0, count=0)


class Category(models.Model):
    """A two-level tree managed by the admins. Names are data in both languages (gettext
    cannot translate rows), so ``label`` picks the one for the current language."""

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent category"),
        help_text=_("Empty for a top-level category. Only two levels."),
    )
    name_en = models.CharField(_("name (English)"), max_length=60)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    requires_provenance = models.BooleanField(
        _("requires provenance"),
        default=False,
        help_text=_("Goods here cannot be published without a complete provenance card."),
    )
    returns_excluded = models.BooleanField(
        _("excluded from 7-day returns"),
        default=False,
        help_text=_("Fresh food, custom-made goods and the like."),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name_en"]

    def __str__(self) -> str:
        if self.parent_id:
            return f"{self.parent.label} \u203a {self.label}"  # a single right-pointing angle quote
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name_en

    def clean(self) -> None:
        if self.parent_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("A category cannot be its own parent.")})
            if self.parent.parent_id:
                raise ValidationError(
                    {"parent": _("Choose a top-level category: the tree has two levels.")}
                )
            if self.pk and self.children.exists():
                raise ValidationError(
                    {"parent": _("This category has subcategories, so it must stay on top.")}
                )


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    HIDDEN = "hidden", _("hidden by moderation")


# Allowed moves, seller side. HIDDEN is the admins' business (services.product_hide).
TRANSITIONS = {
    Status.DRAFT: {Status.PUBLISHED},
    Status.PUBLISHED: {Status.DRAFT},
    Status.HIDDEN: set(),
}

# Paths under /stalls/<slug>/manage/goods/ that are not products.
RESERVED_SLUGS = {"new", "low-stock"}


class ProductQuerySet(models.QuerySet):
    def published(self):
        """Published goods of stalls shoppers can see (open or on holiday)."""
        from shops.selectors import VISIBLE

        return self.filter(status=Status.PUBLISHED, shop__status__in=VISIBLE)


class Product(models.Model):
    Status = Status

    # PROTECT: goods are never deleted under an order; a stall with goods is closed, not deleted.
    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="products", verbose_name=_("stall")
    )
    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80)
    description = models.TextField(_("description"), max_length=8000, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    hidden_reason = models.TextField(_("reason for hiding"), max_length=2000, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    own_test_notes = models.TextField(
        _("seller's own test"),
        max_length=4000,
        blank=True,
        help_text=_("How you tried it yourself: brewed, tasted, washed, dropped…"),
    )
    # The first photo of the gallery, kept by the photo services so a grid needs no join
    # through ProductPhoto.
    cover = models.ForeignKey(
        Image,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cover photo"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Derived columns, kept by catalog.services so grids filter and sort on indexed columns
    # without touching variants (see services.product_derived_refresh):
    # the cheapest variant's price and "was" price, total stock, number of variants...
    price_min = models.DecimalField(
        _("lowest price"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    was_price_min = models.DecimalField(
        _("lowest price's was price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    stock_total = models.PositiveIntegerField(_("stock"), default=0, editable=False)
    variant_count = models.PositiveSmallIntegerField(_("variants"), default=0, editable=False)
    # ...the top-level category (the category itself when it is one), so a top-level page
    # reads one index in price or date order instead of merging its subcategories...
    top_category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # leads the two indexes below
        verbose_name=_("top-level category"),
    )
    # ...whether the provenance card is complete...
    provenance_complete = models.BooleanField(
        _("provenance complete"), default=False, editable=False
    )
    # ...and the text search reads: jieba-segmented, space-separated tokens
    # (catalog.search.index_text). On PostgreSQL the generated column ``search_vector``
    # (not a model field) and its GIN index are built from these two.
    search_title = models.TextField(editable=False, blank=True, default="")
    search_body = models.TextField(editable=False, blank=True, default="")
    # ...and its visible reviews, copied from reviews.ProductRating by
    # reviews.services.rating_recompute: the smoothed (Bayesian) mean that "best rated" sorts
    # by, the plain average and the number of reviews a card shows.
    rating_rank = models.DecimalField(
        _("rating rank"), max_digits=3, decimal_places=2, default=UNRATED_RANK, editable=False
    )
    rating_average = models.DecimalField(
        _("average rating"), max_digits=3, decimal_places=2, default=0, editable=False
    )
    rating_count = models.PositiveIntegerField(_("reviews"), default=0, editable=False)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["shop", "status", "-created_at"]),
            models.Index(fields=["status", "-published_at"]),
            # Category pages, newest first or by price: subcategories (and top-level ones
            # without children) here, top-level ones by top_category below.
            models.Index(
                fields=["status", "category", "-published_at"],
                name="catalog_product_cat_newest",
            ),
            models.Index(
                fields=["status", "category", "price_min", "id"], name="catalog_product_cat_price"
            ),
            models.Index(
                fields=["top_category", "status", "-published_at"],
                name="catalog_product_top_newest",
            ),
            models.Index(
                fields=["top_category", "status", "price_min", "id"],
                name="catalog_product_top_price",
            ),
            # The whole square by price (scanned backwards for "price down").
            models.Index(fields=["status", "price_min", "id"], name="catalog_product_price"),
            # "Best rated", the same three shapes, scanned backwards: the number of reviews
            # breaks ties in the index too (most goods share the unrated rank).
            models.Index(
                fields=["status", "category", "rating_rank", "rating_count", "id"],
                name="catalog_product_cat_rating",
            ),
            models.Index(
                fields=["top_category", "status", "rating_rank", "rating_count", "id"],
                name="catalog_product_top_rating",
            ),
            models.Index(
                fields=["status", "rating_rank", "rating_count", "id"],
                name="catalog_product_rating",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["shop", "slug"], name="catalog_product_slug_per_shop"),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values),
                name="catalog_product_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:product", kwargs={"shop_slug": self.shop.slug, "slug": self.slug})

    def get_manage_url(self) -> str:
        return reverse("catalog:edit", kwargs={"shop_slug": self.shop.slug, "slug": self.slug})

    def can_transition_to(self, to: Status) -> bool:
        return to in TRANSITIONS.get(Status(self.status), set())

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_hidden(self) -> bool:
        return self.status == Status.HIDDEN

    @property
    def tags_text(self) -> str:
        return ", ".join(self.tags)

    @property
    def completeness(self) -> "Completeness":
        """Complete, partial or not given; "not given" when there is no card at all."""
        try:
            card = self.provenance
        except ObjectDoesNotExist:
            return Completeness.NOT_GIVEN
        return card.completeness


class Variant(models.Model):
    """One thing a shopper can buy: a size or colour of a product, with its price and stock."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="variants", verbose_name=_("product")
    )
    # Copied from the product so a SKU is unique per stall and look-ups are scoped in one join.
    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="variants", verbose_name=_("stall")
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    sku = models.CharField(_("SKU"), max_length=40)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    was_price = models.DecimalField(
        _("was price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default=CNY, editable=False)
    stock = models.PositiveIntegerField(_("stock"), default=0)
    low_stock_threshold = models.PositiveIntegerField(_("low-stock threshold"), default=5)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["shop", "stock"])]
        constraints = [
            models.UniqueConstraint(fields=["shop", "sku"], name="catalog_variant_sku_per_shop"),
            models.CheckConstraint(
                condition=models.Q(price__gte="0.01"), name="catalog_variant_price_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(was_price__isnull=True)
                | models.Q(was_price__gt=models.F("price")),
                name="catalog_variant_was_price_above_price",
            ),
            models.CheckConstraint(
                condition=models.Q(stock__gte=0), name="catalog_variant_stock_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(currency=CNY), name="catalog_variant_currency_cny"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} — {self.name}" if self.name else str(self.product)

    @property
    def is_sold_out(self) -> bool:
        return self.stock == 0

    @property
    def is_low_stock(self) -> bool:
        return 0 < self.stock <= self.low_stock_threshold

    @staticmethod
    def name_from(options: dict) -> str:
        return " · ".join(str(value) for value in options.values() if value)


class StockMovement(models.Model):
    """Every change of a variant's stock, with what it became: the audit trail of stock."""

    class Reason(models.TextChoices):
        INITIAL = "initial", _("opening stock")
        SELLER_EDIT = "seller_edit", _("changed by the seller")
        SALE = "sale", _("sold")
        RETURN = "return", _("returned")
        CANCELLED = "cancelled", _("order cancelled")
        CORRECTION = "correction", _("correction")

    variant = models.ForeignKey(
        Variant, on_delete=models.CASCADE, related_name="movements", verbose_name=_("variant")
    )
    delta = models.IntegerField(_("change"))
    stock_after = models.PositiveIntegerField(_("stock after"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.variant.sku} {self.delta:+d} → {self.stock_after}"


class Completeness(models.TextChoices):
    COMPLETE = "complete", _("complete")
    PARTIAL = "partial", _("partial")
    NOT_GIVEN = "not_given", _("not given by the seller")


class ProvenanceCard(models.Model):
    """Where a product comes from. Shoppers always see it, or see plainly that it is missing."""

    # What "complete" means, in the order the form shows them. "production date or batch" is
    # one requirement met by either column.
    REQUIRED = (
        "manufacturer",
        "manufacturer_address",
        "origin",
        "date_or_batch",
        "shelf_life",
        "licence_number",
    )

    product = models.OneToOneField(
        Product, on_delete=models.CASCADE, related_name="provenance", verbose_name=_("product")
    )
    manufacturer = models.CharField(_("manufacturer"), max_length=120, blank=True)
    manufacturer_address = models.CharField(_("manufacturer address"), max_length=200, blank=True)
    origin = models.CharField(
        _("origin"), max_length=120, blank=True, help_text=_("Where it was grown or made.")
    )
    production_date = models.DateField(_("production date"), null=True, blank=True)
    batch = models.CharField(_("batch number"), max_length=60, blank=True)
    shelf_life = models.CharField(
        _("shelf life"), max_length=60, blank=True, help_text=_("For example “18 months”.")
    )
    licence_number = models.CharField(
        _("licence or certificate number"),
        max_length=60,
        blank=True,
        help_text=_("For example a food production licence (SC…) number."),
    )
    certificate = models.ForeignKey(
        Image,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("certificate photo"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("provenance card")
        verbose_name_plural = _("provenance cards")

    def __str__(self) -> str:
        return f"{self.product}: {self.get_completeness_display()}"

    @classmethod
    def requirement_labels(cls) -> dict[str, str]:
        return {
            "manufacturer": _("manufacturer"),
            "manufacturer_address": _("manufacturer address"),
            "origin": _("origin"),
            "date_or_batch": _("production date or batch number"),
            "shelf_life": _("shelf life"),
            "licence_number": _("licence or certificate number"),
        }

    def _given(self, requirement: str) -> bool:
        if requirement == "date_or_batch":
            return bool(self.production_date or self.batch.strip())
        return bool(getattr(self, requirement).strip())

    def missing(self) -> list[str]:
        """The requirements not met, in form order."""
        return [requirement for requirement in self.REQUIRED if not self._given(requirement)]

    @property
    def completeness(self) -> Completeness:
        missing = self.missing()
        if not missing:
            return Completeness.COMPLETE
        if len(missing) == len(self.REQUIRED) and not self.certificate_id:
            return Completeness.NOT_GIVEN
        return Completeness.PARTIAL

    def get_completeness_display(self) -> str:
        return self.completeness.label


class ProductPhoto(models.Model):
    """One photo of a product's gallery; the lowest position is the cover."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="photos", verbose_name=_("product")
    )
    image = models.ForeignKey(
        Image, on_delete=models.CASCADE, related_name="+", verbose_name=_("image")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    alt_text = models.CharField(
        _("description of the photo"),
        max_length=200,
        blank=True,
        help_text=_("What the photo shows, for people who cannot see it."),
    )

    class Meta:
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.product} #{self.position}"


class OwnTestPhoto(models.Model):
    """A photo of the seller trying the product themselves (at most four per product)."""

    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="own_test_photos",
        verbose_name=_("product"),
    )
    image = models.ForeignKey(
        Image, on_delete=models.CASCADE, related_name="+", verbose_name=_("image")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("own-test photo")
        verbose_name_plural = _("own-test photos")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.product} (own test) #{self.position}"
