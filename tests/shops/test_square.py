from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from microstore.images.services import image_create
from shops import services
from shops.models import Shop, Status
from tests.factories import ShopFactory, UserFactory
from tests.shops.conftest import png_bytes

pytestmark = pytest.mark.django_db


def with_pictures(capture, *shops):
    """One processed logo and banner, shared by the stalls (processing 50 would be slow)."""
    owner = shops[0].members.get().user
    with capture(execute=True):
        logo, banner = _pictures(owner)
    Shop.objects.filter(pk__in=[shop.pk for shop in shops]).update(logo=logo, banner=banner)
    return shops[0]


def _pictures(owner):
    logo = image_create(
        upload=SimpleUploadedFile("logo.png", png_bytes()), purpose="shop_logo", owner=owner
    )
    banner = image_create(
        upload=SimpleUploadedFile("banner.png", png_bytes(960, 480)),
        purpose="shop_banner",
        owner=owner,
    )
    return logo, banner


def test_stalls_are_listed_newest_first(client):
    old = ShopFactory(name="Old stall")
    Shop.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    ShopFactory(name="New stall")

    text = client.get(reverse("home")).text

    assert text.index("New stall") < text.index("Old stall")
    assert "What every stall shows you" in text  # the promises stay


def test_sort_by_most_followed(client):
    ShopFactory(name="Quiet stall")
    popular = ShopFactory(name="Popular stall")
    Shop.objects.filter(pk=popular.pk).update(created_at=timezone.now() - timedelta(days=3))
    for user in UserFactory.create_batch(2):
        services.follow(user=user, shop=popular)

    text = client.get(reverse("home"), {"sort": "followed"}).text

    assert text.index("Popular stall") < text.index("Quiet stall")


def test_filter_by_region(client):
    ShopFactory(name="Anxi tea", region="fujian")
    ShopFactory(name="Qinling honey", region="shaanxi")

    text = client.get(reverse("home"), {"region": "shaanxi"}).text

    assert "Qinling honey" in text
    assert "Anxi tea" not in text


def test_a_region_without_stalls_says_so(client):
    ShopFactory(region="fujian")

    text = client.get(reverse("home"), {"region": "tibet"}).text

    assert "No stalls in this region yet." in text
    assert "Show every stall" in text


def test_an_unknown_filter_is_400_and_shows_every_stall(client):
    ShopFactory(name="Anxi tea")

    response = client.get(reverse("home"), {"region": "atlantis", "sort": "cheapest"})

    assert response.status_code == 400
    assert "That filter is not one we know" in response.text
    assert "Anxi tea" in response.text


def test_closed_stalls_leave_the_square_but_paused_ones_stay(client):
    ShopFactory(name="Closed stall", status=Status.CLOSED)
    ShopFactory(name="Holiday stall", status=Status.PAUSED)

    text = client.get(reverse("home")).text

    assert "Closed stall" not in text
    assert "Holiday stall" in text
    assert "On holiday" in text


def test_pagination_keeps_the_filters(client):
    for index in range(30):
        ShopFactory(name=f"Tea stall {index}", region="fujian")

    first = client.get(reverse("home"), {"region": "fujian"})
    second = client.get(reverse("home"), {"region": "fujian", "page": 2})

    assert "Page 1 of 2" in first.text
    assert "?region=fujian&amp;page=2" in first.text
    assert second.text.count('<li class="stall-card') == 6
    assert client.get(reverse("home"), {"page": "999"}).status_code == 200


@pytest.mark.parametrize("stalls", [1, 50])
def test_the_square_runs_a_bounded_number_of_queries(
    client, stalls, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    with_pictures(django_capture_on_commit_callbacks, *ShopFactory.create_batch(stalls))
    client.force_login(UserFactory())

    # session, user, the bell, my stall, the count, the page of stalls (logos joined)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.text.count('<li class="stall-card') == min(stalls, 24)
    assert "/media/img/" in response.text


@pytest.mark.parametrize("stalls", [1, 50])
def test_a_stall_page_runs_a_bounded_number_of_queries(
    client, stalls, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    shop = with_pictures(django_capture_on_commit_callbacks, *ShopFactory.create_batch(stalls))
    for user in UserFactory.create_batch(3):
        services.follow(user=user, shop=shop)
    client.force_login(UserFactory())

    # session, user, the bell, the stall (logo and banner joined), member?, following?
    with django_assert_max_num_queries(6):
        response = client.get(shop.get_absolute_url())

    assert response.status_code == 200
    assert "3 followers" in response.text
    assert "/media/img/" in response.text  # the processed logo and banner are shown
