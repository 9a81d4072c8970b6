"""Every read of the reviews app, with related rows loaded for the page that shows them."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Value
from django.utils.translation import gettext_lazy as _

from reviews.models import HelpfulVote, ProductRating, Review, ReviewPhoto
from reviews.models.review import RATINGS

PAGE_SIZE = 10

# sort key → (label, ordering, only reviews with photos)
SORTS = {
    "newest": (_("Newest"), ("-created_at", "-pk"), False),
    "helpful": (_("Most helpful"), ("-helpful_count", "-created_at", "-pk"), False),
    "photos": (_("With photos"), ("-created_at", "-pk"), True),
    "lowest": (_("Lowest ratings"), ("rating", "-created_at", "-pk"), False),
}
DEFAULT_SORT = "newest"


def review_list_for_product(*, product, sort: str = DEFAULT_SORT, viewer=None) -> QuerySet:
    """The product's reviews (removed ones too: they show "removed by moderation") in
    ``sort`` order, each with its author, follow-up, photos and whether ``viewer`` voted."""
    _label, ordering, photos_only = SORTS.get(sort, SORTS[DEFAULT_SORT])
    qs = Review.objects.filter(product=product)
    if photos_only:
        qs = qs.filter(photo_count__gt=0, status=Review.Status.VISIBLE)
    if viewer is not None and viewer.is_authenticated:
        voted = Exists(HelpfulVote.objects.filter(review=OuterRef("pk"), user=viewer))
    else:
        voted = Value(False)
    return (
        qs.select_related("author", "follow_up")
        .prefetch_related(Prefetch("photos", queryset=ReviewPhoto.objects.select_related("image")))
        .annotate(viewer_voted=voted)
        .order_by(*ordering)
    )


def product_rating(*, product) -> ProductRating:
    """The product's rating row, or an empty one (not saved) before its first review.
    No query when the product came with it joined (``catalog.selectors.product_for_page``)."""
    try:
        rating = product.rating
    except ProductRating.DoesNotExist:
        rating = None
    if rating is None:
        rating = ProductRating(product=product, distribution=[0] * len(RATINGS))
    return rating


def _bar_width(n: int, count: int) -> int:
    """A share as a CSS class step: 0, 5, … 100."""
    if not count:
        return 0
    share = Decimal(n * 100) / count
    return int((share / 5).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 5)


def rating_bars(rating: ProductRating) -> list[dict]:
    """5★ … 1★: how many reviews gave each, and the bar's width step."""
    distribution = list(rating.distribution or [0] * len(RATINGS))
    distribution += [0] * (len(RATINGS) - len(distribution))
    return [
        {
            "stars": stars,
            "count": distribution[stars - 1],
            "width": _bar_width(distribution[stars - 1], rating.count),
        }
        for stars in reversed(RATINGS)
    ]


def product_reviews_block(*, product, viewer, sort: str = "", page: str | None = None) -> dict:
    """What the product page shows of its reviews: the rating, the bars, one page of reviews
    in the chosen order, and the sort links."""
    sort = sort if sort in SORTS else DEFAULT_SORT
    rating = product_rating(product=product)
    reviews = review_list_for_product(product=product, sort=sort, viewer=viewer)
    page_obj = Paginator(reviews, PAGE_SIZE).get_page(page) if rating.count or rating.pk else None
    return {
        "rating": rating,
        "bars": rating_bars(rating),
        "reviews_page": page_obj,
        "review_sort": sort,
        "review_sorts": [(key, label) for key, (label, _o, _p) in SORTS.items()],
    }


def reviews_for_lines(*, lines) -> dict[int, Review]:
    """Order line id → its review, for the lines given (one query)."""
    ids = [line.pk for line in lines]
    reviews = Review.objects.filter(order_line_id__in=ids).select_related("product__shop")
    return {r.order_line_id: r for r in reviews}
