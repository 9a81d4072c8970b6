"""Every read a catalogue page needs, with the related rows it shows already joined.

A grid of goods is one query whatever its size: the stall, the cover photo and the provenance
card are joined, and the lowest price, total stock and number of variants are columns of the
product that catalog.services keeps (no subqueries over variants at a million rows).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    F,
    Prefetch,
    Q,
    QuerySet,
    TextChoices,
)
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, OwnTestPhoto, Product, ProductPhoto, Status, Variant
from shops.models import Shop

MANAGE_STATUSES = Status.values


def with_card_data(qs: QuerySet) -> QuerySet:
    """What a product card shows, in the same query: stall, cover, provenance and category
    joined; price, stock and the number of variants are the product's own derived columns."""
    return qs.select_related("shop", "cover", "provenance", "category")


def product_list_for_shop(shop) -> QuerySet:
    """A stall's published goods for its page, newest first (nothing if the stall is closed)."""
    return with_card_data(Product.objects.published().filter(shop=shop)).order_by(
        "-published_at", "-pk"
    )


def product_list_published(*, category: Category | None = None) -> QuerySet:
    """Published goods of visible stalls across the square, newest first; a top-level
    category includes its subcategories."""
    qs = Product.objects.published()
    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    return with_card_data(qs).order_by("-published_at", "-pk")


def product_list_manage(*, shop, status: str = "", query: str = "") -> QuerySet:
    """The seller's list: every product of the stall, optionally one status or a title search."""
    qs = Product.objects.filter(shop=shop)
    if status in MANAGE_STATUSES:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(title__icontains=query)
    return with_card_data(qs).order_by("-updated_at", "-pk")


def product_counts_by_status(*, shop) -> dict[str, int]:
    rows = Product.objects.filter(shop=shop).values("status").annotate(n=Count("pk")).order_by()
    return {row["status"]: row["n"] for row in rows}


def _page_prefetches():
    return (
        Prefetch("variants", queryset=Variant.objects.order_by("position", "pk")),
        Prefetch(
            "photos",
            queryset=ProductPhoto.objects.select_related("image").order_by("position", "pk"),
        ),
        Prefetch(
            "own_test_photos",
            queryset=OwnTestPhoto.objects.select_related("image").order_by("position", "pk"),
        ),
    )


def product_for_page(*, shop, slug: str) -> Product | None:
    """One product of ``shop`` with everything its page shows (any status: the view decides
    who may see it)."""
    return (
        Product.objects.filter(shop=shop, slug=slug)
        .select_related(
            "shop",
            "shop__logo",
            "category",
            "category__parent",
            "provenance",
            "provenance__certificate",
            "rating",  # reviews.ProductRating: the product page's stars, no extra query
        )
        .prefetch_related(*_page_prefetches())
        .first()
    )


def product_for_edit(*, product: Product) -> Product:
    """The seller's product again with variants, photos and provenance loaded."""
    return product_for_page(shop=product.shop, slug=product.slug)


def variants_low_stock(*, shop) -> QuerySet:
    """Variants at or below their low-stock threshold (sold out first), hidden goods too."""
    return (
        Variant.objects.filter(shop=shop, stock__lte=F("low_stock_threshold"))
        .select_related("product", "product__shop")
        .order_by("stock", "product__title", "position")
    )


def category_tree() -> list[tuple[Category, list[Category]]]:
    """Top-level categories with their children, in position order (two queries)."""
    categories = list(Category.objects.select_related("parent").order_by("position", "name_en"))
    tops = [c for c in categories if c.parent_id is None]
    return [(top, [c for c in categories if c.parent_id == top.pk]) for top in tops]


# --- the shopper's grid: square, category pages, search results -------------------------------

GRID_PAGE_SIZE = 24
# Counts stop here: "1,000+ goods". An exact COUNT(*) over a million rows costs more than the
# page itself, and no shopper reads past it (the last page is GRID_MAX_PAGE).
GRID_COUNT_LIMIT = 1000
GRID_MAX_PAGE = -(-GRID_COUNT_LIMIT // GRID_PAGE_SIZE)
# Long text a card never shows, left in the database.
GRID_DEFERRED = (
    "description",
    "own_test_notes",
    "hidden_reason",
    "search_title",
    "search_body",
    "shop__description",
    "shop__return_policy",
)


class GridSort(TextChoices):
    RELEVANCE = "relevance", _("Best match")
    NEWEST = "newest", _("Newest")
    PRICE_UP = "price", _("Price: low to high")
    PRICE_DOWN = "-price", _("Price: high to low")
    RATING = "rating", _("Best rated")


GRID_ORDER = {
    GridSort.NEWEST: ("-published_at", "-pk"),
    GridSort.PRICE_UP: ("price_min", "pk"),
    GridSort.PRICE_DOWN: ("-price_min", "-pk"),
    # The smoothed mean (unrated goods at the prior), then more reviews, then newer rows: a
    # total order for offset paging, read backwards from the rating indexes.
    GridSort.RATING: ("-rating_rank", "-rating_count", "-pk"),
}


@dataclass(frozen=True)
class GridFilters:
    """What a shopper narrowed the grid to. ``category_ids``: from ``category_with_children``,
    the category first, then its subcategories (read through ``Product.top_category``)."""

    query: str = ""
    shop_id: int | None = None  # one stall's goods (its page of goods)
    category_ids: tuple[int, ...] = ()
    price_from: Decimal | None = None
    price_to: Decimal | None = None
    in_stock: bool = False
    verified: bool = False
    provenance_complete: bool = False
    sort: str = ""

    @property
    def effective_sort(self) -> str:
        """Relevance only means something with a query; it is then the default."""
        if self.sort in GRID_ORDER:
            return self.sort
        return GridSort.RELEVANCE if self.query.strip() else GridSort.NEWEST


@dataclass
class GridPage:
    products: list
    number: int
    page_size: int
    has_next: bool
    count: int  # exact up to GRID_COUNT_LIMIT
    count_capped: bool  # more than GRID_COUNT_LIMIT: show "1,000+"

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def category_with_children(categories, slug: str) -> tuple[Category | None, tuple[int, ...]]:
    """From the loaded ``category_tree()``: the category at ``slug`` and the ids it covers
    (a top-level category covers its subcategories)."""
    for top, children in categories:
        if top.slug == slug:
            return top, (top.pk, *(child.pk for child in children))
        for child in children:
            if child.slug == slug:
                return child, (child.pk,)
    return None, ()


def _grid_queryset(filters: GridFilters) -> QuerySet:
    """Published goods of visible stalls narrowed by ``filters``, sorted; on the product's
    own indexed columns only (the stall is joined for visibility and "verified")."""
    from catalog.search import search_products
    from shops.selectors import verified_q

    qs = Product.objects.published()
    if filters.shop_id is not None:
        qs = qs.filter(shop_id=filters.shop_id)
    if len(filters.category_ids) > 1:  # a top-level category with its children
        qs = qs.filter(top_category_id=filters.category_ids[0])
    elif filters.category_ids:
        qs = qs.filter(category_id=filters.category_ids[0])
    if filters.price_from is not None:
        qs = qs.filter(price_min__gte=filters.price_from)
    if filters.price_to is not None:
        qs = qs.filter(price_min__lte=filters.price_to)
    if filters.in_stock:
        qs = qs.filter(stock_total__gt=0)
    if filters.provenance_complete:
        qs = qs.filter(provenance_complete=True)
    if filters.verified:
        qs = qs.filter(Q(shop__in=Shop.objects.filter(verified_q())))
    sort = filters.effective_sort
    if filters.query.strip():
        ranked = sort == GridSort.RELEVANCE
        qs = search_products(
            filters.query, within=qs, ranked=ranked, candidates=GRID_COUNT_LIMIT + 1
        )
        if ranked:
            return qs
    return qs.order_by(*GRID_ORDER[sort])


def product_grid(
    *, filters: GridFilters, page: int = 1, page_size: int = GRID_PAGE_SIZE
) -> GridPage:
    """One page of the shopper's grid in at most two queries: the page's rows with their stall
    (badge dates included), cover and provenance card, fetched one row long to know whether a
    next page exists; and, only when there is one, a count that stops after
    ``GRID_COUNT_LIMIT`` rows. Ranked search instead fetches its bounded candidates' ids in
    rank order first (that is the count too), then the page's rows."""
    page = max(1, min(page, GRID_MAX_PAGE))
    qs = _grid_queryset(filters)
    offset = (page - 1) * page_size
    if filters.query.strip() and filters.effective_sort == GridSort.RELEVANCE:
        # Ranked: the candidates' ids in rank order (at most GRID_COUNT_LIMIT + 1 small rows,
        # so also the count), then the page's rows by id.
        ids = list(qs.values_list("pk", flat=True))
        count, page_ids = len(ids), ids[offset : offset + page_size]
        has_next = count > offset + page_size and page < GRID_MAX_PAGE
        found = {p.pk: p for p in _card_rows(Product.objects.filter(pk__in=page_ids))}
        rows = [found[pk] for pk in page_ids if pk in found]
    else:
        rows = list(_card_rows(qs)[offset : offset + page_size + 1])
        has_next = len(rows) > page_size and page < GRID_MAX_PAGE
        rows = rows[:page_size]
        if has_next:
            count = qs.order_by().values("pk")[: GRID_COUNT_LIMIT + 1].count()
        else:
            count = offset + len(rows)
    return GridPage(
        products=rows,
        number=page,
        page_size=page_size,
        has_next=has_next,
        count=min(count, GRID_COUNT_LIMIT),
        count_capped=count > GRID_COUNT_LIMIT,
    )


def _card_rows(qs: QuerySet) -> QuerySet:
    return with_card_data(qs).defer(*GRID_DEFERRED)
