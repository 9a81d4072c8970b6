"""The benchmark catalogue generator, with a tiny N: COPY on PostgreSQL, bulk_create on SQLite.

Every test here runs on both databases (whichever ``DATABASE_URL`` names).
"""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db.models import Count

from catalog import generate
from catalog.generate import generate_catalog
from catalog.models import Completeness, Product, ProvenanceCard, Status, Variant
from catalog.search import index_text, search_products
from microstore.accounts.models import User
from shops.models import Shop, ShopMember
from shops.selectors import VISIBLE, verified_q

pytestmark = pytest.mark.django_db

STALLS, PRODUCTS = 30, 400


@pytest.fixture
def generated():
    """A small catalogue in three batches, its progress bar captured."""
    before = {model: model.objects.count() for model in (Shop, User, Product)}
    stream = io.StringIO()
    result = generate_catalog(stalls=STALLS, products=PRODUCTS, batch=150, stream=stream)
    return result, before, stream.getvalue()


def test_it_adds_the_stalls_with_owners_and_the_goods_asked_for(generated):
    result, before, _progress = generated

    assert (result.stalls, result.products) == (STALLS, PRODUCTS)
    assert Shop.objects.count() == before[Shop] + STALLS
    assert User.objects.count() == before[User] + STALLS
    assert Product.objects.count() == before[Product] + PRODUCTS
    assert Variant.objects.count() == result.variants
    assert ProvenanceCard.objects.count() == result.provenance_cards
    # Every stall has exactly one owner, whose address is confirmed.
    owners = ShopMember.objects.filter(role=ShopMember.Role.OWNER)
    assert owners.count() == STALLS
    assert not Shop.objects.annotate(n=Count("members")).exclude(n=1).exists()
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == STALLS
    assert not User.objects.filter(email_confirmed_at__isnull=True).exists()


def test_goods_have_one_to_three_variants_and_a_realistic_mix(generated):
    counts = set(Product.objects.annotate(n=Count("variants")).values_list("n", flat=True))
    assert counts <= {1, 2, 3}
    assert {1, 2} <= counts

    statuses = set(Product.objects.values_list("status", flat=True))
    assert Status.PUBLISHED in statuses
    assert Product.objects.filter(status=Status.PUBLISHED).count() > PRODUCTS * 0.8
    shop_statuses = set(Shop.objects.values_list("status", flat=True))
    assert Shop.Status.OPEN in shop_statuses
    assert Shop.objects.filter(verified_q()).exists()  # some stalls are identity-verified
    assert Shop.objects.exclude(verified_q()).exists()
    categories = Product.objects.values("category").distinct().count()
    assert categories >= 5  # spread over the default tree


def test_every_row_passes_model_validation_and_constraints(generated):
    for model in (Shop, User, Product, Variant, ProvenanceCard):
        for row in model.objects.order_by("pk")[:60]:
            row.full_clean()  # field rules, choices, check and unique constraints

    slugs = Product.objects.values_list("shop_id", "slug")
    assert len(set(slugs)) == len(slugs)
    skus = Variant.objects.values_list("shop_id", "sku")
    assert len(set(skus)) == len(skus)
    assert len(set(Shop.objects.values_list("code", flat=True))) == Shop.objects.count()
    assert not Product.objects.filter(status=Status.PUBLISHED, published_at__isnull=True).exists()


def test_derived_columns_agree_with_the_variants_and_the_card(generated):
    products = Product.objects.prefetch_related("variants").select_related("provenance", "category")
    for product in products:
        assert product.top_category_id == (product.category.parent_id or product.category_id)
        variants = sorted(product.variants.all(), key=lambda v: (v.price, v.pk))
        assert product.variant_count == len(variants)
        assert product.price_min == variants[0].price
        assert product.was_price_min == variants[0].was_price
        assert product.stock_total == sum(v.stock for v in variants)
        assert product.provenance_complete == (product.completeness == Completeness.COMPLETE)
    completeness = {product.completeness for product in products}
    assert completeness == set(Completeness)


def test_search_columns_are_what_index_text_makes(generated):
    result, _before, _progress = generated

    assert result.index_check.startswith("piece-wise segmentation matches")  # the fast path
    for product in Product.objects.all():
        expected = index_text(
            title=product.title, description=product.description, tags=product.tags
        )
        assert (product.search_title, product.search_body) == (
            expected["search_title"],
            expected["search_body"],
        ), product.pk


def test_generated_goods_are_found_by_search(generated):
    shown = Product.objects.published().filter(shop__status__in=VISIBLE)
    product = shown.filter(title__contains=" ").order_by("pk").first()
    head = product.title.split()[0]  # e.g. "安溪铁观音" or a place name

    assert product in search_products(head, ranked=False)
    assert product in search_products(head)
    hidden = Product.objects.exclude(status=Status.PUBLISHED).order_by("pk").first()
    assert hidden not in search_products(hidden.title.split()[0], ranked=False)


def test_the_progress_bar_rewrites_one_line_per_phase(generated):
    _result, _before, progress = generated

    assert progress.count("\n") == 2  # stalls, then goods
    assert "\r" in progress
    assert f"{PRODUCTS:,}/{PRODUCTS:,} 100%" in progress


def test_a_second_run_adds_more_without_clashing(generated):
    result = generate_catalog(stalls=3, products=20, stream=io.StringIO())

    assert result.products == 20
    assert Product.objects.count() == generated[1][Product] + PRODUCTS + 20
    assert Shop.objects.count() == generated[1][Shop] + STALLS + 3


def test_the_command_loads_a_catalogue_and_says_how_long_it_took(settings):
    settings.DEBUG = True
    out, err = io.StringIO(), io.StringIO()

    call_command("generate_catalog", "--stalls", "2", "--products", "25", stdout=out, stderr=err)

    assert "Added 2 stalls, 25 goods" in out.getvalue()
    assert Product.objects.count() == 25
    assert "goods" in err.getvalue()


def test_the_command_refuses_a_database_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("generate_catalog", "--stalls", "1", "--products", "1")
    assert not Product.objects.exists()


def test_the_command_refuses_nonsense_sizes(settings):
    settings.DEBUG = True

    with pytest.raises(CommandError, match="at least"):
        call_command("generate_catalog", "--stalls", "0", "--products", "10")


def test_the_designed_terms_are_single_words_of_the_index():
    """The benchmark's rare and common terms are what a shopper would type."""
    from catalog.search import query_tokens

    assert query_tokens(generate.RARE_TERM) == [generate.RARE_TERM]
    assert query_tokens(generate.COMMON_KIND_TERM) == [generate.COMMON_KIND_TERM]
