"""The shopper's grid: /goods/, category pages and search results, with filters, sorting,
pagination, bounded counts and a fixed number of queries. Runs on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog import selectors, services
from catalog.models import Product
from catalog.selectors import GridFilters, GridSort, product_grid
from catalog.services import VariantRow
from shops.models import Status as ShopStatus
from tests.catalog.factories import (
    ImageFactory,
    ProvenanceFactory,
    PublishedProductFactory,
    VariantFactory,
    category,
)
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 5, 1, tzinfo=UTC)


def listed(title, *, price="68.00", stock=10, days=0, shop=None, card=False, **fields):
    fields.setdefault("description", "")
    product = PublishedProductFactory(
        title=title,
        published_at=START + timedelta(days=days),
        **({"shop": shop} if shop else {}),
        **fields,
    )
    VariantFactory(product=product, price=Decimal(price), stock=stock)
    if card:
        ProvenanceFactory(product=product)
    return product


def grid_titles(**filters) -> list[str]:
    return [p.title for p in product_grid(filters=GridFilters(**filters)).products]


def verified_shop(**kwargs):
    now = timezone.now()
    return ShopFactory(
        identity_verified_at=now - timedelta(days=3),
        identity_verified_until=now + timedelta(days=300),
        **kwargs,
    )


# --- filters ------------------------------------------------------------------------------------


def test_a_top_level_category_includes_its_subcategories():
    listed("Oolong", category=category("tea"))
    listed("Honey", category=category("honey-preserves"))
    listed("Bowl", category=category("ceramics-tableware"))
    tree = selectors.category_tree()

    _food, food_ids = selectors.category_with_children(tree, "food-drink")
    _tea, tea_ids = selectors.category_with_children(tree, "tea")

    assert sorted(grid_titles(category_ids=food_ids)) == ["Honey", "Oolong"]
    assert grid_titles(category_ids=tea_ids) == ["Oolong"]


def test_price_range_is_inclusive_and_reads_the_lowest_variant_price():
    listed("Cheap", price="9.99")
    listed("Middle", price="68.00")
    listed("Dear", price="300.00")
    two_sizes = listed("Two sizes", price="150.00")
    VariantFactory(product=two_sizes, price=Decimal("30.00"))

    found = grid_titles(price_from=Decimal("30.00"), price_to=Decimal("68.00"), sort="price")

    assert found == ["Two sizes", "Middle"]


def test_in_stock_leaves_out_sold_out_goods():
    listed("Plenty", stock=4)
    listed("Sold out", stock=0)

    assert grid_titles(in_stock=True) == ["Plenty"]


def test_verified_only_keeps_stalls_whose_identity_is_verified_now():
    listed("From a verified stall", shop=verified_shop())
    expired = ShopFactory(
        identity_verified_at=timezone.now() - timedelta(days=400),
        identity_verified_until=timezone.now() - timedelta(days=35),
    )
    listed("Verification expired", shop=expired)
    listed("Never verified")

    assert grid_titles(verified=True) == ["From a verified stall"]


def test_provenance_complete_keeps_goods_with_a_full_card():
    listed("Full card", card=True)
    listed("No card")

    assert grid_titles(provenance_complete=True) == ["Full card"]


def test_only_published_goods_of_visible_stalls_are_listed():
    listed("On sale")
    listed("Draft", status=Product.Status.DRAFT)
    listed("Hidden", status=Product.Status.HIDDEN)
    listed("On holiday", shop=ShopFactory(status=ShopStatus.PAUSED))
    listed("Closed stall", shop=ShopFactory(status=ShopStatus.CLOSED))

    assert sorted(grid_titles()) == ["On holiday", "On sale"]


# --- sorting ------------------------------------------------------------------------------------


def test_sorts_newest_and_by_price_both_ways():
    listed("Old and cheap", price="10.00", days=1)
    listed("New and dear", price="90.00", days=3)
    listed("Middle", price="50.00", days=2)

    assert grid_titles() == ["New and dear", "Middle", "Old and cheap"]  # newest by default
    assert grid_titles(sort=GridSort.PRICE_UP) == ["Old and cheap", "Middle", "New and dear"]
    assert grid_titles(sort=GridSort.PRICE_DOWN) == ["New and dear", "Middle", "Old and cheap"]


def test_relevance_is_the_default_with_a_query_and_other_sorts_still_apply():
    listed("Gaiwan", price="40.00", days=3, description="For oolong.")
    listed("Oolong tin", price="80.00", days=1)

    assert grid_titles(query="oolong") == ["Oolong tin", "Gaiwan"]
    assert grid_titles(query="oolong", sort=GridSort.NEWEST) == ["Gaiwan", "Oolong tin"]
    assert grid_titles(query="oolong", sort=GridSort.PRICE_UP) == ["Gaiwan", "Oolong tin"]


def test_relevance_without_a_query_means_newest():
    listed("Older", days=1)
    listed("Newer", days=2)

    assert grid_titles(sort=GridSort.RELEVANCE) == ["Newer", "Older"]


# --- the services keep the derived columns right ----------------------------------------------


@pytest.fixture
def seller_product(owner):
    shop = ShopFactory(owner=owner)
    product = services.product_save(
        shop=shop,
        actor=owner,
        fields={"title": "Celadon bowl", "description": "", "category": category("handmade")},
        variants=[
            VariantRow(price=Decimal("120.00"), stock=2, options={"size": "big"}),
            VariantRow(price=Decimal("80.00"), was_price=Decimal("95.00"), stock=0),
        ],
    )
    return services.product_publish(product=product, actor=owner)


def test_saving_variants_keeps_price_and_stock_columns(seller_product):
    product = Product.objects.get(pk=seller_product.pk)

    assert product.price_min == Decimal("80.00")
    assert product.was_price_min == Decimal("95.00")
    assert product.stock_total == 2
    assert product.variant_count == 2
    assert grid_titles(price_to=Decimal("80.00")) == ["Celadon bowl"]


def test_selling_the_last_one_takes_it_out_of_in_stock(seller_product, owner):
    big = seller_product.variants.get(price=Decimal("120.00"))
    assert grid_titles(in_stock=True) == ["Celadon bowl"]

    services.variant_stock_adjust(variant_id=big.pk, delta=-2, actor=owner, reason="sale")

    assert Product.objects.get(pk=seller_product.pk).stock_total == 0
    assert grid_titles(in_stock=True) == []

    services.variants_stock_set(product=seller_product, stocks={big.pk: 5}, actor=owner)

    assert grid_titles(in_stock=True) == ["Celadon bowl"]


def test_a_completed_provenance_card_is_seen_by_the_filter(seller_product, owner):
    assert grid_titles(provenance_complete=True) == []

    services.provenance_save(
        product=seller_product,
        actor=owner,
        fields={
            "manufacturer": "陶师傅工作室",
            "manufacturer_address": "景德镇",
            "origin": "Jingdezhen",
            "batch": "K12",
            "shelf_life": "none",
            "licence_number": "N/A-handmade",
        },
    )

    assert grid_titles(provenance_complete=True) == ["Celadon bowl"]


def test_product_derived_refresh_repairs_every_column(seller_product):
    Product.objects.filter(pk=seller_product.pk).update(
        price_min=None, stock_total=0, variant_count=0, search_title=""
    )

    product = services.product_derived_refresh(product=seller_product)

    assert (product.price_min, product.stock_total, product.variant_count) == (
        Decimal("80.00"),
        2,
        2,
    )
    assert "celadon" in product.search_title.split()


# --- pages and counts ---------------------------------------------------------------------------


def test_pages_hold_24_and_know_about_the_next_one_without_counting_everything():
    for n in range(25):
        listed(f"Tin {n:02d}", days=n)

    first = product_grid(filters=GridFilters(), page=1)
    second = product_grid(filters=GridFilters(), page=2)

    assert len(first.products) == 24 and first.has_next and not first.has_previous
    assert first.count == 25 and not first.count_capped
    assert [p.title for p in second.products] == ["Tin 00"]
    assert not second.has_next and second.has_previous


def test_counts_stop_at_the_limit(monkeypatch):
    monkeypatch.setattr(selectors, "GRID_COUNT_LIMIT", 3)
    for n in range(6):
        listed(f"Tin {n}", days=n)

    page = product_grid(filters=GridFilters(), page_size=2)

    assert page.count == 3 and page.count_capped


def test_no_shopper_grid_counts_the_whole_catalogue():
    for n in range(30):
        listed(f"Tin {n}", days=n)

    with CaptureQueriesContext(connection) as queries:
        product_grid(filters=GridFilters())
        product_grid(filters=GridFilters(query="tin"))

    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 1001" in sql for sql in counts)


def make_goods(count):
    image = ImageFactory()
    shop = verified_shop()
    for n in range(count):
        product = listed(f"Oolong tin {n}", days=n, shop=shop, card=True)
        Product.objects.filter(pk=product.pk).update(cover=image)


@pytest.mark.parametrize("count", [1, 48])
def test_a_grid_runs_at_most_three_queries_whatever_its_size(count, django_assert_max_num_queries):
    make_goods(count)

    for filters in (GridFilters(in_stock=True, verified=True), GridFilters(query="oolong")):
        with django_assert_max_num_queries(3):
            page = product_grid(filters=filters, page_size=48)
            html = render_to_string(
                "catalog/product_grid.html",
                {"products": page.products, "show_shop": True, "show_badges": True},
            )
        assert html.count('<li class="product-card') == count
        assert html.count("Identity verified") == count


@pytest.mark.parametrize("count", [1, 48])
def test_the_goods_and_search_pages_run_a_fixed_number_of_queries(
    count, client, django_assert_max_num_queries
):
    make_goods(count)

    with django_assert_max_num_queries(3):
        client.get(reverse("catalog:goods"), {"page": 2 if count > 24 else 1})
    with django_assert_max_num_queries(3):
        client.get(reverse("search"), {"q": "oolong", "in_stock": "on"})


# --- the pages ----------------------------------------------------------------------------------


def test_the_goods_page_shows_cards_with_stall_and_badges(client):
    listed("Spring oolong", shop=verified_shop(name="老高的茶叶铺"))

    response = client.get(reverse("catalog:goods"))

    assert response.status_code == 200
    assert "Spring oolong" in response.text
    assert "老高的茶叶铺" in response.text
    assert "Identity verified" in response.text
    assert "1 product" in response.text


def test_a_category_page_lists_its_goods_and_its_subcategories(client):
    listed("Oolong", category=category("tea"))
    listed("Bowl", category=category("ceramics-tableware"))

    response = client.get(reverse("catalog:category", kwargs={"category_slug": "food-drink"}))

    assert response.status_code == 200
    assert "Oolong" in response.text and "Bowl" not in response.text
    assert reverse("catalog:category", kwargs={"category_slug": "tea"}) in response.text


def test_an_unknown_category_is_a_404(client):
    response = client.get(reverse("catalog:category", kwargs={"category_slug": "no-such"}))

    assert response.status_code == 404


def test_filters_come_from_a_plain_get_form(client):
    listed("Cheap", price="10.00")
    listed("Dear", price="300.00")

    response = client.get(
        reverse("catalog:goods"), {"price_from": "100", "sort": "-price", "category": ""}
    )

    assert response.status_code == 200
    assert "Dear" in response.text and "Cheap" not in response.text


@pytest.mark.parametrize(
    "params",
    [
        {"price_from": "abc"},
        {"price_from": "-5"},
        {"price_from": "50", "price_to": "10"},
        {"sort": "cheapest"},
        {"sort": "relevance"},  # relevance without a query
        {"category": "no-such"},
        {"page": "0"},
        {"page": "100000"},
    ],
)
def test_a_filter_we_cannot_use_is_a_400_with_a_note_and_every_product(client, params):
    listed("Cheap", price="10.00")
    listed("Dear", price="300.00")

    response = client.get(reverse("catalog:goods"), params)

    assert response.status_code == 400
    assert "could not be used" in response.text
    assert "Cheap" in response.text and "Dear" in response.text


def test_a_bad_filter_on_search_keeps_the_query(client):
    listed("Oolong tin")
    listed("Honey jar")

    response = client.get(reverse("search"), {"q": "oolong", "price_to": "x"})

    assert response.status_code == 400
    assert "Oolong tin" in response.text and "Honey jar" not in response.text


def test_empty_states_say_what_to_do(client):
    listed("Dear", price="300.00", category=category("tea"))

    filtered = client.get(reverse("catalog:goods"), {"price_to": "5"})
    empty_category = client.get(reverse("catalog:category", kwargs={"category_slug": "health"}))

    assert "No goods match these filters." in filtered.text
    assert "Clear the filters" in filtered.text
    assert "Nothing is listed in this category yet." in empty_category.text


def test_the_next_page_link_keeps_the_filters(client):
    for n in range(25):
        listed(f"Tin {n:02d}", days=n)

    response = client.get(reverse("catalog:goods"), {"in_stock": "on"})

    assert "?in_stock=on&amp;page=2" in response.text
    page_two = client.get(reverse("catalog:goods"), {"in_stock": "on", "page": "2"})
    assert "Tin 00" in page_two.text


def test_a_stall_has_its_own_goods_page_with_the_filters(client, django_assert_max_num_queries):
    tea = ShopFactory(name="Tea stall")
    listed("Oolong tin", shop=tea)
    listed("Sold-out oolong", shop=tea, stock=0)
    listed("Other stall's oolong")

    with django_assert_max_num_queries(4):  # the stall, then at most three for the grid
        everything = client.get(reverse("catalog:shop-goods", args=[tea.slug]))
    in_stock = client.get(reverse("catalog:shop-goods", args=[tea.slug]), {"in_stock": "on"})

    assert everything.status_code == 200
    assert "Goods of Tea stall" in everything.text
    assert "Oolong tin" in everything.text and "Sold-out oolong" in everything.text
    assert "Other stall&#x27;s oolong" not in everything.text
    assert "Sold-out oolong" not in in_stock.text and "Oolong tin" in in_stock.text
    closed = ShopFactory(status=ShopStatus.CLOSED)
    assert client.get(reverse("catalog:shop-goods", args=[closed.slug])).status_code == 404
    assert client.get(reverse("catalog:shop-goods", args=["no-such-stall"])).status_code == 404
