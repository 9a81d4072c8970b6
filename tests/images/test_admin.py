"""Admins see every photo, find them by owner, filter by use and state, and re-render them."""

import pytest
from django.urls import reverse

from microstore.images.models import Image, Status
from tests.factories import UserFactory
from tests.images.conftest import private_files, rendition_files
from tests.images.corpus import jpeg

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:images_image_changelist")


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_shows_thumbnails_with_a_bounded_number_of_queries(
    client, admin_user, make_image, count, django_assert_max_num_queries
):
    images = [make_image(jpeg(400, 300)) for _ in range(count)]
    client.force_login(admin_user)

    with django_assert_max_num_queries(8):
        response = client.get(CHANGELIST)

    assert response.status_code == 200
    smallest = images[0].renditions_of("jpeg")[0]["name"]
    assert f'<img src="/media/{smallest}" width="64" height="48"' in response.text


def test_admins_find_photos_by_owner_email_and_filter_them(client, admin_user, make_image):
    gao = UserFactory(email="gao@example.com")
    make_image(jpeg(400, 300), user=gao)
    make_image(jpeg(400, 300))
    failed = make_image(jpeg(400, 300), process=False)
    failed.status = Status.FAILED
    failed.save()
    client.force_login(admin_user)

    assert client.get(CHANGELIST, {"q": "gao@"}).context["cl"].result_count == 1
    assert client.get(CHANGELIST, {"status__exact": "failed"}).context["cl"].result_count == 1
    assert client.get(CHANGELIST, {"purpose__exact": "avatar"}).context["cl"].result_count == 3
    assert client.get(CHANGELIST, {"purpose__exact": "product"}).context["cl"].result_count == 0


def test_the_re_render_action(client, admin_user, make_image, django_capture_on_commit_callbacks):
    image = make_image(jpeg(400, 300), process=False)
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST, {"action": "rerender", "_selected_action": [str(image.pk)]}, follow=True
        )

    assert "1 image will be re-rendered in the background." in response.text
    image.refresh_from_db()
    assert image.status == Status.READY


def test_photos_cannot_be_added_or_edited_in_the_admin(client, admin_user, make_image):
    image = make_image(jpeg(400, 300))
    client.force_login(admin_user)

    assert client.get(reverse("admin:images_image_add")).status_code == 403
    page = client.get(reverse("admin:images_image_change", args=[image.pk]))
    assert page.status_code == 200
    assert 'name="purpose"' not in page.text


def test_deleting_in_the_admin_deletes_the_files(
    client, admin_user, make_image, django_capture_on_commit_callbacks
):
    image = make_image(jpeg(400, 300))
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:images_image_delete", args=[image.pk]), {"post": "yes"})

    assert not Image.objects.exists()
    assert rendition_files() == set() and private_files() == set()
