"""The grid's "Best rated" sort: the smoothed mean of visible reviews, copied onto the product
by the review services, ranks the goods (unrated ones at the prior), pages without gaps or
repeats, is offered on every listing and costs no extra query; cards show the stars."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from catalog.models import UNRATED_RANK, Product
from catalog.selectors import GRID_PAGE_SIZE, GridFilters, GridSort, product_grid
from reviews import services as reviews
from reviews.scoring import bayesian_mean
from tests.catalog.factories import PublishedProductFactory, VariantFactory, category
from tests.factories import ShopFactory
from tests.reviews.review_factories import make_stall, review_of

pytestmark = pytest.mark.django_db


def stall_product(slug, title, **fields):
    """(product, variant): a published product on a stall of its own."""
    _shop, product, variant = make_stall(slug=slug, title=title)
    if "category" in fields:
        fields["top_category"] = fields["category"].parent or fields["category"]
    if fields:
        Product.objects.filter(pk=product.pk).update(**fields)
        product.refresh_from_db()
    return product, variant


def reviewed(slug, title, ratings, **fields):
    """A product with one visible review per rating, each by a buyer of a received order."""
    product, variant = stall_product(slug, title, **fields)
    written = [review_of(variant, rating=stars) for stars in ratings]
    product.refresh_from_db()
    return product, written


def best_rated(**filters) -> list[str]:
    page = product_grid(filters=GridFilters(sort=GridSort.RATING, **filters))
    return [p.title for p in page.products]


@pytest.fixture
def four_kinds():
    """Four goods: five reviews averaging 4.8, one 5★, none, one 2★ (made in another order)."""
    return {
        "poor": reviewed("poor", "One poor", [2]),
        "unrated": stall_product("unrated", "Unrated"),
        "perfect": reviewed("perfect", "One perfect", [5]),
        "many": reviewed("many", "Many good", [5, 5, 5, 5, 4]),
    }


def test_many_good_reviews_outrank_one_perfect_one_which_outranks_unrated_and_poor(four_kinds):
    assert best_rated() == ["Many good", "One perfect", "Unrated", "One poor"]

    many, _reviews = four_kinds["many"]
    perfect, _reviews = four_kinds["perfect"]
    unrated, _variant = four_kinds["unrated"]
    unrated.refresh_from_db()
    assert (many.rating_rank, many.rating_average, many.rating_count) == (
        bayesian_mean(total=24, count=5),  # 3.93
        Decimal("4.80"),
        5,
    )
    assert perfect.rating_rank == Decimal("3.64") and perfect.rating_count == 1
    assert unrated.rating_rank == UNRATED_RANK == Decimal("3.50") and unrated.rating_count == 0


def test_hiding_reviews_moves_a_product_down_and_showing_them_moves_it_back(four_kinds, admin_user):
    _many, written = four_kinds["many"]
    fives = [review for review in written if review.rating == 5]

    for review in fives:
        reviews.review_hide(review=review, actor=admin_user, reason="Paid for")

    # One 4★ review left: smoothed 3.55, under the single 5★ one, still above unrated.
    assert best_rated() == ["One perfect", "Many good", "Unrated", "One poor"]
    many = Product.objects.get(title="Many good")
    assert (many.rating_rank, many.rating_count) == (Decimal("3.55"), 1)

    reviews.review_unhide(review=fives[0], actor=admin_user)
    reviews.review_unhide(review=fives[1], actor=admin_user)

    assert best_rated()[0] == "Many good"


def test_a_product_whose_only_review_is_hidden_ranks_as_unrated_again(admin_user):
    product, (review,) = reviewed("once", "Once rated", [5])
    stall_product("never", "Never rated")
    assert best_rated() == ["Once rated", "Never rated"]

    reviews.review_hide(review=review, actor=admin_user, reason="Spam")

    product.refresh_from_db()
    assert (product.rating_rank, product.rating_average, product.rating_count) == (
        UNRATED_RANK,
        0,
        0,
    )
    # Equal ranks and counts: the newer row first, as everywhere else in the grid.
    assert best_rated() == ["Never rated", "Once rated"]


def test_editing_a_review_moves_the_product(four_kinds):
    _poor, (review,) = four_kinds["poor"]

    reviews.review_edit(review=review, actor=review.author, rating=5, text="Better than I said")

    # 3.64 each, one review each: the newer row first.
    assert best_rated() == ["Many good", "One perfect", "One poor", "Unrated"]


def test_best_rated_applies_inside_a_search_a_category_and_a_stall():
    reviewed("tea-ok", "Oolong tin, fine", [4], category=category("tea"))
    reviewed("tea-top", "Oolong tin, superb", [5, 5], category=category("tea"))
    reviewed("bowl", "Oolong bowl", [5, 5, 5], category=category("ceramics-tableware"))
    stall_product("honey", "Honey jar", category=category("honey-preserves"))

    food = (category("food-drink").pk, category("tea").pk, category("honey-preserves").pk)
    assert best_rated(query="oolong tin") == ["Oolong tin, superb", "Oolong tin, fine"]
    assert best_rated(category_ids=food) == [
        "Oolong tin, superb",
        "Oolong tin, fine",
        "Honey jar",
    ]
    bowl = Product.objects.get(title="Oolong bowl")
    assert best_rated(shop_id=bowl.shop_id) == ["Oolong bowl"]


# --- paging -------------------------------------------------------------------------------------


def test_pages_of_best_rated_hold_every_product_once_in_order():
    reviewed("a", "Rated 4", [4, 4])  # 3.58
    reviewed("b", "Rated 5", [5])  # 3.64
    reviewed("c", "Rated 3", [3])  # 3.45
    for n in range(4):  # four ties at the prior with no reviews: newest row first
        stall_product(f"plain-{n}", f"Plain {n}")

    seen, number = [], 1
    while True:
        page = product_grid(filters=GridFilters(sort=GridSort.RATING), page=number, page_size=2)
        seen += [p.title for p in page.products]
        if not page.has_next:
            break
        number += 1

    assert number == 4
    assert seen == [
        "Rated 5",
        "Rated 4",
        "Plain 3",
        "Plain 2",
        "Plain 1",
        "Plain 0",
        "Rated 3",
    ]


def test_the_goods_pages_sorted_best_rated_show_every_product_once(client):
    reviewed("top", "Top rated", [5, 5, 5])
    shop = ShopFactory()
    for n in range(GRID_PAGE_SIZE + 2):
        VariantFactory(product=PublishedProductFactory(shop=shop, title=f"Tin {n:02d}"))
    url = reverse("catalog:goods")

    first = client.get(url, {"sort": "rating"})
    second = client.get(url, {"sort": "rating", "page": "2"})

    assert first.status_code == second.status_code == 200
    titles = [p.title for p in first.context["page"].products + second.context["page"].products]
    assert len(titles) == len(set(titles)) == GRID_PAGE_SIZE + 3
    assert titles[0] == "Top rated"
    assert "?sort=rating&amp;page=2" in first.text


# --- the pages ----------------------------------------------------------------------------------


def listing_urls(shop):
    """(url, params, queries): each listing, and the most queries it may run (a stall's goods
    page reads the stall first)."""
    return [
        (reverse("catalog:goods"), {}, 3),
        (reverse("catalog:category", kwargs={"category_slug": "food-drink"}), {}, 3),
        (reverse("search"), {"q": "oolong"}, 3),
        (reverse("catalog:shop-goods", args=[shop.slug]), {}, 4),
    ]


def test_every_listing_offers_best_rated_in_its_sort_select(client):
    product, _variant = stall_product("tea", "Oolong tin")

    for url, params, _queries in listing_urls(product.shop):
        response = client.get(url, params)
        assert response.status_code == 200, url
        assert '<option value="rating">Best rated</option>' in response.text, url
        chosen = client.get(url, {**params, "sort": "rating"})
        assert chosen.status_code == 200, url
        assert '<option value="rating" selected>Best rated</option>' in chosen.text, url


def test_a_sort_we_do_not_know_is_still_a_400_not_a_500(client):
    stall_product("tea", "Oolong tin")

    response = client.get(reverse("catalog:goods"), {"sort": "best-rated"})

    assert response.status_code == 400
    assert "could not be used" in response.text and "Oolong tin" in response.text


def test_a_card_shows_the_average_and_number_of_reviews_only_when_rated(client):
    reviewed("many", "Many good", [5, 5, 5, 5, 4])
    stall_product("unrated", "Unrated")

    response = client.get(reverse("catalog:goods"), {"sort": "rating"})

    assert '<span class="stars">★</span> 4.8 (5)' in response.text
    assert "Rated 4.8 out of 5 in 5 reviews" in response.text
    assert response.text.count('class="product-card__rating"') == 1


@pytest.mark.parametrize("count", [1, 30])
def test_best_rated_pages_run_as_few_queries_as_the_other_sorts(
    count, client, django_assert_max_num_queries
):
    shop = ShopFactory()
    for n in range(count):
        product = PublishedProductFactory(shop=shop, title=f"Oolong tin {n}")
        VariantFactory(product=product)
    # As many again on stalls of their own, rated through the review services: the square's
    # best-rated page shows their stars.
    for n in range(count):
        reviewed(f"rated-{n}", f"Oolong tin rated {n}", [5])

    for url, params, queries in listing_urls(shop):
        for sort in (GridSort.NEWEST, GridSort.PRICE_DOWN, GridSort.RATING):
            for page in (1, 2) if count > 1 else (1,):
                with django_assert_max_num_queries(queries):
                    response = client.get(url, {**params, "sort": sort, "page": page})
                assert response.status_code == 200
    square = client.get(reverse("catalog:goods"), {"sort": "rating"})
    assert square.text.count('class="product-card__rating"') == min(count, GRID_PAGE_SIZE)


# --- filling the columns ------------------------------------------------------------------------


def test_the_migration_copies_existing_ratings_onto_their_products():
    rated, _reviews = reviewed("rated", "Rated", [5, 4])
    unrated, _variant = stall_product("unrated", "Unrated")
    Product.objects.update(rating_rank=UNRATED_RANK, rating_average=0, rating_count=0)

    migration = importlib.import_module("catalog.migrations.0007_product_rating")
    migration.fill_ratings(apps, None)

    rated.refresh_from_db()
    unrated.refresh_from_db()
    assert (rated.rating_rank, rated.rating_average, rated.rating_count) == (
        Decimal("3.67"),
        Decimal("4.50"),
        2,
    )
    assert (unrated.rating_rank, unrated.rating_count) == (UNRATED_RANK, 0)


def test_the_demo_square_sorted_best_rated_starts_with_its_well_reviewed_goods(
    django_capture_on_commit_callbacks,
):
    from microstore import demo

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()

    goods = product_grid(filters=GridFilters(sort=GridSort.RATING)).products

    assert goods[0].title.startswith("安溪铁观音") and goods[0].rating_count == 2
    ranks = [p.rating_rank for p in goods]
    assert ranks == sorted(ranks, reverse=True)
    above = [p for p in goods if p.rating_rank > UNRATED_RANK]
    assert above and all(p.rating_count for p in above)
    assert goods[: len(above)] == above
