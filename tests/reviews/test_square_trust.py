"""The trust card on the stall page, and the square sorted and filtered by trust."""

import pytest
from django.urls import reverse
from django.utils import translation

from reviews.models import TrustScore
from reviews.trust import trust_recompute
from shops.models import Shop
from tests.factories import ShopFactory, UserFactory
from tests.reviews.trust_factories import dispute, orders, stall

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def scored(name, score, **fields):
    shop = ShopFactory(name=name, **fields)
    TrustScore.objects.create(shop=shop, score=score, parts=[])
    return shop


def names_in_order(text, names):
    return sorted(names, key=text.index)


def test_the_square_sorts_by_trust_score_then_unscored_stalls(client):
    scored("Middling stall", 55)
    scored("Best stall", 91)
    unscored_new = ShopFactory(name="Brand new stall")
    TrustScore.objects.create(shop=unscored_new, score=None, parts=[])
    never = ShopFactory(name="Never computed stall")
    Shop.objects.filter(pk=never.pk).update(followers_count=900)

    text = client.get(reverse("home")).text

    expected = ["Best stall", "Middling stall", "Never computed stall", "Brand new stall"]
    assert names_in_order(text, expected) == expected
    assert "Trust score 91" in text and "Trust score 55" in text


def test_the_square_filters_by_trust_score_at_least(client):
    scored("Best stall", 91)
    scored("Middling stall", 55)
    ShopFactory(name="Unscored stall")

    response = client.get(reverse("home"), {"min_trust": "60"})

    assert response.status_code == 200
    assert "Best stall" in response.text
    assert "Middling stall" not in response.text and "Unscored stall" not in response.text


def test_an_unknown_trust_filter_is_refused_and_shows_every_stall(client):
    scored("Middling stall", 55)

    response = client.get(reverse("home"), {"min_trust": "-5"})

    assert response.status_code == 400
    assert "Middling stall" in response.text


def test_the_stall_page_shows_the_score_and_each_part_in_words(client):
    # given a stall with six orders shipped in 36 hours, one open complaint, its score computed
    shop, variant = stall(name="Tea stall")
    made = orders(variant, 6, ship_hours=36)
    dispute(made[0])
    trust = trust_recompute(shop_id=shop.pk)

    text = client.get(shop.get_absolute_url()).text

    assert f'<span class="trust-card__number">{trust.score}</span>' in text
    assert "Ships in 1.5 days on average" in text
    assert "1 complaint in 90 days" in text and "1 still open" in text
    assert "0% of buyers came back" in text
    assert "6 paid orders" in text
    assert "No reviews yet" in text
    assert "100% of its goods say fully where they come from" in text
    assert "Not verified by microstore yet" in text
    assert "not enough orders" not in text


def test_a_new_stall_says_plainly_it_has_not_enough_orders(client):
    shop, variant = stall(name="New stall")
    orders(variant, 2)
    trust_recompute(shop_id=shop.pk)

    text = client.get(shop.get_absolute_url()).text

    assert "New stall: not enough orders yet" in text
    assert 'class="trust-card__number"' not in text
    assert "2 paid orders" in text  # the facts it has are still shown


def test_a_stall_never_scored_has_a_card_without_a_score(client):
    shop = ShopFactory(name="Fresh stall")

    text = client.get(shop.get_absolute_url()).text

    assert "No trust score yet" in text


def test_the_card_renders_in_chinese(client):
    shop, variant = stall()
    orders(variant, 6)
    trust_recompute(shop_id=shop.pk)

    with translation.override("zh-hans"):
        text = client.get(shop.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").text

    assert "trust-card" in text


@pytest.mark.parametrize("stalls", [1, 30])
def test_the_stall_page_with_its_trust_card_stays_within_its_query_bound(
    client, stalls, django_assert_max_num_queries
):
    shop, variant = stall()
    orders(variant, 6)
    trust_recompute(shop_id=shop.pk)
    for _ in range(stalls - 1):
        other, _v = stall()
        trust_recompute(shop_id=other.pk)
    client.force_login(UserFactory())

    # session, user, the bell, the stall (pictures and trust joined), member?, following?, goods,
    # its latest updates
    with django_assert_max_num_queries(8):
        response = client.get(shop.get_absolute_url())

    assert 'class="trust-card__number"' in response.text


@pytest.mark.parametrize("stalls", [1, 30])
def test_the_square_sorted_by_trust_stays_within_its_query_bound(
    client, stalls, django_assert_max_num_queries
):
    for i in range(stalls):
        scored(f"Stall {i}", 50 + i)
    client.force_login(UserFactory())

    with django_assert_max_num_queries(7):
        response = client.get(reverse("home"), {"sort": "trust", "min_trust": "50"})

    assert response.status_code == 200
    assert response.text.count('<li class="stall-card') == min(stalls, 24)
