"""search_products: Chinese words inside longer titles, English stemming, ranking, and only what
shoppers may see. Every test without the postgres mark runs on SQLite and on PostgreSQL, where
the two backends are meant to agree."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.models import Product
from catalog.search import (
    index_text,
    query_tokens,
    search_products,
    search_words_refresh,
    suggest,
)
from catalog.services import VariantRow
from shops.models import Status as ShopStatus
from tests.catalog.factories import PublishedProductFactory, VariantFactory, category
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
CARD = {
    "manufacturer": "安溪县高山茶厂",
    "manufacturer_address": "安溪县感德镇 1 号",
    "origin": "Anxi",
    "batch": "B7",
    "shelf_life": "18 months",
    "licence_number": "SC114",
}
START = datetime(2026, 5, 1, tzinfo=UTC)


def listed(title, *, description="", tags=(), days=0, shop=None, **fields):
    """A published product with a variant, its search columns made by the real index_text."""
    product = PublishedProductFactory(
        title=title,
        description=description,
        tags=list(tags),
        published_at=START + days * DAY,
        **({"shop": shop} if shop else {}),
        **fields,
    )
    VariantFactory(product=product)
    return product


def titles(query, **kwargs) -> list[str]:
    return [product.title for product in search_products(query, **kwargs)]


# --- Chinese ------------------------------------------------------------------------------------


def test_a_two_character_word_finds_a_longer_title_that_contains_it():
    """jieba reads 西湖龙井茶叶 as 西湖 / 龙井茶 / 叶: 茶叶 is found all the same."""
    listed("西湖龙井茶叶")
    listed("秦岭土蜂蜜")

    assert titles("茶叶") == ["西湖龙井茶叶"]
    assert titles("龙井") == ["西湖龙井茶叶"]
    assert titles("西湖龙井") == ["西湖龙井茶叶"]
    assert titles("蜂蜜") == ["秦岭土蜂蜜"]


def test_one_chinese_character_finds_titles_with_it():
    listed("西湖龙井茶叶")
    listed("景德镇青花茶杯")
    listed("秦岭土蜂蜜")

    assert sorted(titles("茶")) == ["景德镇青花茶杯", "西湖龙井茶叶"]


def test_every_word_of_the_query_must_match():
    listed("西湖龙井茶叶 gift box")
    listed("安溪铁观音茶叶")

    assert titles("茶叶 gift") == ["西湖龙井茶叶 gift box"]
    assert titles("铁观音 龙井") == []


def test_description_and_tags_are_searched_too():
    listed("Spring tin", description="明前采摘的安溪铁观音，手工炒制。")  # noqa: RUF001 -- full-width on purpose
    listed("Plain jar", tags=["土蜂蜜", "gift"])

    assert titles("铁观音") == ["Spring tin"]
    assert titles("蜂蜜") == ["Plain jar"]


def test_full_width_letters_and_case_do_not_matter():
    listed("Tieguanyin Oolong")

    assert titles("ＯＯＬＯＮＧ") == ["Tieguanyin Oolong"]  # noqa: RUF001 -- full-width on purpose
    assert titles("tieguanyin") == ["Tieguanyin Oolong"]


# --- English --------------------------------------------------------------------------------------


def test_english_words_are_stemmed():
    listed("Green tea")
    listed("Hand-thrown cups", description="Thrown on the wheel and glazed by hand.")

    assert titles("teas") == ["Green tea"]
    assert titles("cup") == ["Hand-thrown cups"]
    assert titles("glazed cups") == ["Hand-thrown cups"]


def test_a_query_without_words_finds_nothing():
    listed("Green tea")

    assert titles("") == []
    assert titles("  ，。！ ") == []  # noqa: RUF001 -- full-width on purpose
    assert query_tokens("，。！") == []  # noqa: RUF001 -- full-width on purpose


# --- ranking ------------------------------------------------------------------------------------


def test_a_title_match_ranks_above_a_description_match():
    listed("Gaiwan set", description="For brewing oolong.", days=5)
    listed("Oolong from Anxi", description="Rolled by hand.", days=1)

    assert titles("oolong") == ["Oolong from Anxi", "Gaiwan set"]


def test_equal_matches_are_newest_first():
    listed("Oolong, older tin", days=1)
    listed("Oolong, newer tin", days=3)
    listed("Oolong, middle tin", days=2)

    assert titles("oolong") == ["Oolong, newer tin", "Oolong, middle tin", "Oolong, older tin"]


def test_unranked_results_leave_the_order_to_the_caller():
    listed("Oolong, cheap", days=1)
    listed("Oolong, dear", days=2)

    found = search_products("oolong", ranked=False).order_by("title")

    assert [p.title for p in found] == ["Oolong, cheap", "Oolong, dear"]


# --- who sees what ------------------------------------------------------------------------------


def test_only_published_goods_of_visible_stalls_are_found():
    listed("Oolong on sale")
    listed("Oolong draft", status=Product.Status.DRAFT)
    listed("Oolong hidden", status=Product.Status.HIDDEN)
    listed("Oolong on holiday", shop=ShopFactory(status=ShopStatus.PAUSED))
    listed("Oolong closed", shop=ShopFactory(status=ShopStatus.CLOSED))
    listed("Oolong suspended", shop=ShopFactory(status=ShopStatus.SUSPENDED))

    assert sorted(titles("oolong")) == ["Oolong on holiday", "Oolong on sale"]


def test_within_narrows_the_search():
    tea = listed("Oolong tin")
    listed("Oolong cup", category=category("ceramics-tableware"))

    found = search_products("oolong", within=Product.objects.filter(category=tea.category))

    assert [p.title for p in found] == ["Oolong tin"]


# --- the services keep the search columns right -----------------------------------------------


def test_a_renamed_product_is_found_by_its_new_title_only(owner):
    shop = ShopFactory(owner=owner)
    product = services.product_save(
        shop=shop,
        actor=owner,
        fields={"title": "安溪铁观音", "description": "", "category": category("tea")},
        variants=[VariantRow(price=Decimal("68.00"), stock=5)],
        provenance=CARD,
    )
    services.product_publish(product=product, actor=owner)
    assert titles("铁观音") == ["安溪铁观音"]

    services.product_save(
        shop=shop,
        actor=owner,
        product=product,
        fields={"title": "武夷山大红袍", "description": "", "category": category("tea")},
        variants=[VariantRow(id=product.variants.get().pk, price=Decimal("68.00"), stock=5)],
    )

    assert titles("铁观音") == []
    assert titles("大红袍") == ["武夷山大红袍"]


def test_a_duplicate_is_indexed_under_its_own_title(owner):
    shop = ShopFactory(owner=owner)
    product = services.product_save(
        shop=shop,
        actor=owner,
        fields={"title": "秦岭土蜂蜜", "description": "", "category": category("honey-preserves")},
        variants=[VariantRow(price=Decimal("88.00"), stock=5)],
    )

    copy = services.product_duplicate(product=product, actor=owner)

    assert "蜂蜜" in copy.search_title.split()
    assert "copy" in copy.search_title.split()


# --- the search page ----------------------------------------------------------------------------


def test_the_search_page_lists_matches_with_their_stall(client):
    shop = ShopFactory(name="老高的茶叶铺")
    listed("西湖龙井茶叶", shop=shop)

    response = client.get(reverse("search"), {"q": "茶叶"})

    assert response.status_code == 200
    assert "西湖龙井茶叶" in response.text
    assert "老高的茶叶铺" in response.text
    assert 'value="茶叶"' in response.text  # the header's box keeps the query


def test_an_empty_search_asks_what_to_look_for(client):
    response = client.get(reverse("search"))

    assert response.status_code == 200
    assert "What are you looking for?" in response.text


def test_a_search_without_results_says_what_to_do(client):
    listed("Green tea")

    response = client.get(reverse("search"), {"q": "kombucha"})

    assert response.status_code == 200
    assert "No goods match “kombucha”." in response.text
    assert "Check the spelling" in response.text
    assert reverse("catalog:goods") in response.text


@pytest.mark.postgres
def test_a_misspelt_search_offers_the_word_it_probably_meant(client):
    listed("Tieguanyin oolong from Anxi")
    search_words_refresh()  # the periodic task

    assert suggest("olong") == "oolong"
    assert suggest("olong tieguanyn") == "oolong tieguanyin"
    assert suggest("oolong") == ""  # spelt right: nothing to suggest
    response = client.get(reverse("search"), {"q": "olong"})

    assert "Did you mean" in response.text
    assert f"{reverse('search')}?q=oolong" in response.text


@pytest.mark.postgres
def test_nothing_close_suggests_nothing():
    listed("Tieguanyin oolong from Anxi")
    search_words_refresh()

    assert suggest("zzzzqqq") == ""


# --- PostgreSQL specifics -----------------------------------------------------------------------


@pytest.mark.postgres
def test_the_search_vector_is_computed_by_the_database_for_bulk_inserts():
    """Bulk loaders fill search_title/search_body only; the tsvector is a generated column."""
    shop = ShopFactory()
    Product.objects.bulk_create(
        [
            Product(
                shop=shop,
                title="西湖龙井茶叶",
                slug="xi-hu",
                category=category("tea"),
                status=Product.Status.PUBLISHED,
                published_at=timezone.now(),
                **index_text(title="西湖龙井茶叶", description="", tags=[]),
            )
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM catalog_product WHERE slug = 'xi-hu'")
        (vector,) = cursor.fetchone()

    assert "'茶叶':" in vector
    assert titles("茶叶") == ["西湖龙井茶叶"]
