from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from microstore.images.services import image_create
from shops import services
from shops.models import Shop, Status
from tests.factories import ShopFactory, UserFactory
from tests.shops.conftest import ID_NUMBER, LICENCE, png_bytes

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


def verify(shop, *kinds, admin):
    """Approved through the real services, as the admin action does."""
    owner = shop.members.get().user
    for kind in kinds:
        fields = (
            {"real_name": "高建国", "id_number": ID_NUMBER}
            if kind == "identity"
            else {
                "business_name": "Co-op",
                "licence_number": LICENCE,
                "document": SimpleUploadedFile("l.png", png_bytes(900, 700)),
            }
        )
        request = services.verification_request(shop=shop, actor=owner, kind=kind, **fields)
        services.verification_approve(verification=request, actor=admin)
    return shop


def test_by_default_the_most_trusted_stalls_come_first(client, admin_user):
    plain = ShopFactory(name="Plain stall")
    Shop.objects.filter(pk=plain.pk).update(followers_count=500)
    verify(ShopFactory(name="Identity stall"), "identity", admin=admin_user)
    verify(ShopFactory(name="Fully verified stall"), "identity", "business", admin=admin_user)

    text = client.get(reverse("home")).text

    positions = [text.index(name) for name in ("Fully verified", "Identity stall", "Plain")]
    assert positions == sorted(positions)
    assert text.count("Identity verified") == 2 and text.count("Business verified") == 1


def test_verified_only_hides_stalls_without_a_valid_identity_check(client, admin_user):
    verify(ShopFactory(name="Verified stall"), "identity", admin=admin_user)
    ShopFactory(name="Unverified stall")

    text = client.get(reverse("home"), {"verified": "on"}).text

    assert "Verified stall" in text and "Unverified stall" not in text


def test_suspended_stalls_are_not_on_the_square(client, admin_user):
    services.shop_suspend(shop=ShopFactory(name="Bad stall"), actor=admin_user, reason="Spam.")

    assert "Bad stall" not in client.get(reverse("home")).text


def test_stalls_are_listed_newest_first(client):
    old = ShopFactory(name="Old stall")
    Shop.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    ShopFactory(name="New stall")

    text = client.get(reverse("home"), {"sort": "newest"}).text

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

    assert "No stalls match these filters yet." in text
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
    client, admin_user, stalls, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    shops = ShopFactory.create_batch(stalls)
    with_pictures(django_capture_on_commit_callbacks, *shops)
    verify(shops[0], "identity", "business", admin=admin_user)
    client.force_login(UserFactory())

    # session, user, the bell, my stall, the count, the page of stalls (logos and badges
    # joined), the newest goods
    with django_assert_max_num_queries(7):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.text.count('<li class="stall-card') == min(stalls, 24)
    assert "Business verified" in response.text
    assert "/media/img/" in response.text


@pytest.mark.parametrize("stalls", [1, 50])
def test_a_stall_page_runs_a_bounded_number_of_queries(
    client, admin_user, stalls, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    shop = with_pictures(django_capture_on_commit_callbacks, *ShopFactory.create_batch(stalls))
    verify(shop, "identity", admin=admin_user)
    for user in UserFactory.create_batch(3):
        services.follow(user=user, shop=shop)
    client.force_login(UserFactory())

    # session, user, the bell, the stall (logo and banner joined), member?, following?, goods,
    # its latest updates
    with django_assert_max_num_queries(8):
        response = client.get(shop.get_absolute_url())

    assert response.status_code == 200
    assert "3 followers" in response.text
    assert "Identity verified" in response.text
    assert "/media/img/" in response.text  # the processed logo and banner are shown
