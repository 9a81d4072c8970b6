"""The profile photo, end to end through real views, and how renditions are served."""

import html
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from microstore.images.models import Image, Status
from tests.images.conftest import (
    assert_no_metadata,
    private_files,
    read,
    rendition_files,
)
from tests.images.corpus import BAD, GOOD, good_by_id, jpeg

pytestmark = pytest.mark.django_db

UPLOAD = reverse("accounts:avatar-upload")
PROFILE = reverse("accounts:profile")


def upload(client, data: bytes, filename="photo.jpg", content_type="image/jpeg"):
    return client.post(UPLOAD, {"photo": SimpleUploadedFile(filename, data, content_type)})


@pytest.fixture
def logged_in(client, owner):
    client.force_login(owner)
    return client


@pytest.mark.parametrize("bad", BAD, ids=lambda bad: bad.id)
def test_every_bad_file_is_refused_with_a_400_and_a_clear_message(logged_in, owner, bad):
    data = bad.data
    started = time.perf_counter()

    response = upload(logged_in, data, filename=bad.filename)

    assert time.perf_counter() - started < 1.0
    assert response.status_code == 400
    assert bad.says in html.unescape(response.text)
    assert 'class="field-errors"' in response.text
    assert Image.objects.count() == 0
    assert private_files() == set()
    owner.refresh_from_db()
    assert owner.avatar is None


@pytest.mark.parametrize("good", GOOD, ids=lambda good: good.id)
def test_a_good_photo_becomes_the_profile_photo_with_clean_renditions(
    logged_in, owner, good, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(logged_in, good.data, filename=good.filename)

    assert response.status_code == 302
    owner.refresh_from_db()
    image = owner.avatar
    assert image.status == Status.READY
    assert (image.width, image.height) == (good.width, good.height)
    assert rendition_files() == image.rendition_names()
    for rendition in image.renditions:
        served = logged_in.get(f"/media/{rendition['name']}")
        assert served.headers["Content-Type"] == f"image/{rendition['format']}"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        body = b"".join(served.streaming_content)
        assert body == read(rendition["name"])
        assert_no_metadata(body)

    page = logged_in.get(PROFILE)
    assert "<picture" in page.text
    assert f'width="{good.width}" height="{good.height}"' in page.text


def test_a_rendition_is_served_with_its_type_nosniff_and_a_long_immutable_cache(client, make_image):
    image = make_image(jpeg(900, 700))
    webp, jpg = image.renditions_of("webp")[0], image.renditions_of("jpeg")[0]

    for rendition, content_type in ((webp, "image/webp"), (jpg, "image/jpeg")):
        response = client.get(f"/media/{rendition['name']}")  # nobody logged in: public
        assert response.status_code == 200
        assert response.headers["Content-Type"] == content_type
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "path",
    [
        "/media/",
        "/media/img/",
        "/media/settings.py",
        "/media/img/../../microstore/settings.py",
        "/media/img/%2e%2e/%2e%2e/microstore/settings.py",
        "/media/..%2f..%2fmanage.py",
        "/media/img/00000000-0000-0000-0000-000000000000/320w-0123abcd.webp",
        "/media/img/00000000-0000-0000-0000-000000000000/320w-0123abcd.png",
        "/media/img/00000000-0000-0000-0000-000000000000/320W-0123ABCD.WEBP",
        "/media/img/not-a-uuid/320w-0123abcd.webp",
    ],
)
def test_the_media_view_serves_nothing_but_existing_renditions(client, make_image, path):
    make_image(jpeg(900, 700))

    assert client.get(path).status_code == 404


def test_originals_are_not_reachable_by_any_url(client, admin_user, make_image, settings):
    image = make_image(good_by_id()["rotated-jpeg-with-gps"].data)
    name = image.original.name  # originals/<uuid>.jpg, in PRIVATE_MEDIA_ROOT
    rendition = image.renditions[0]["name"]
    client.force_login(admin_user)

    for path in (
        f"/media/{name}",
        f"/media/{name.rsplit('/', 1)[1]}",
        f"/private-media/{name}",
        f"/media/../private-media/{name}",
        f"/media/{rendition.rsplit('/', 1)[0]}/../../originals/{image.pk}.jpg",
    ):
        assert client.get(path).status_code == 404, path
    with pytest.raises(ValueError, match="not served"):
        image.original.url  # noqa: B018 -- the storage refuses to make a URL at all
    admin_page = client.get(reverse("admin:images_image_change", args=[image.pk]))
    assert admin_page.status_code == 200
    assert "originals/" not in admin_page.text


def test_the_profile_page_shows_the_photo_with_a_bounded_number_of_queries(
    logged_in, owner, make_image, django_assert_max_num_queries
):
    bound = 4  # session, user, unread notifications (the bell), the photo
    with django_assert_max_num_queries(bound):
        assert logged_in.get(PROFILE).status_code == 200

    owner.avatar = make_image(jpeg(900, 700))
    owner.save()
    for _ in range(20):  # many other photos of the same owner change nothing
        make_image(jpeg(300, 300))
    with django_assert_max_num_queries(bound):
        response = logged_in.get(PROFILE)
    assert "<picture" in response.text


def test_a_photo_still_being_processed_shows_a_placeholder_that_polls(
    logged_in, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not run yet
        upload(logged_in, jpeg(900, 700))
    owner.refresh_from_db()

    page = logged_in.get(PROFILE)

    assert "Processing photo…" in page.text
    poll = reverse("images:picture", args=[owner.avatar_id])
    assert f'hx-get="{poll}?' in page.text


def test_the_picture_fragment_is_for_the_owner_only(client, owner, stranger, make_image):
    image = make_image(jpeg(900, 700), process=False)
    url = reverse("images:picture", args=[image.pk])

    assert client.get(url).status_code == 302  # log in first
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    response = client.get(url, {"alt": "Me", "class": "avatar"})
    assert response.status_code == 200
    assert "Processing photo…" in response.text
    assert "hx-get" in response.text  # still pending: keep asking


def test_the_picture_fragment_swaps_in_the_finished_photo(client, owner, make_image):
    image = make_image(jpeg(900, 700))
    client.force_login(owner)

    response = client.get(reverse("images:picture", args=[image.pk]), {"alt": "<b>Me</b>"})

    assert "<picture" in response.text
    assert "hx-get" not in response.text
    assert 'alt="&lt;b&gt;Me&lt;/b&gt;"' in response.text
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_a_new_photo_replaces_the_old_one_and_its_files(
    logged_in, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(logged_in, jpeg(900, 700))
    owner.refresh_from_db()
    first = owner.avatar

    with django_capture_on_commit_callbacks(execute=True):
        upload(logged_in, jpeg(800, 800))

    owner.refresh_from_db()
    assert owner.avatar != first
    assert not Image.objects.filter(pk=first.pk).exists()
    assert rendition_files() == owner.avatar.rendition_names()
    assert private_files() == {owner.avatar.original.name}


def test_a_bad_upload_keeps_the_current_photo(logged_in, owner, make_image):
    owner.avatar = make_image(jpeg(900, 700))
    owner.save()

    response = upload(logged_in, b"not a photo")

    assert response.status_code == 400
    owner.refresh_from_db()
    assert owner.avatar is not None


def test_the_photo_can_be_removed(logged_in, owner, make_image, django_capture_on_commit_callbacks):
    owner.avatar = make_image(jpeg(900, 700))
    owner.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(reverse("accounts:avatar-remove"), follow=True)

    assert "Your profile photo has been removed." in response.text
    owner.refresh_from_db()
    assert owner.avatar is None
    assert Image.objects.count() == 0
    assert rendition_files() == set() and private_files() == set()


def test_uploading_needs_a_log_in_and_a_post(client, owner):
    assert client.post(UPLOAD).status_code == 302
    client.force_login(owner)
    assert client.get(UPLOAD).status_code == 405
    assert client.get(reverse("accounts:avatar-remove")).status_code == 405


def test_removing_a_photo_touches_only_your_own(client, owner, stranger, make_image):
    owner.avatar = make_image(jpeg(900, 700))
    owner.save()
    client.force_login(stranger)

    client.post(reverse("accounts:avatar-remove"))

    owner.refresh_from_db()
    assert owner.avatar is not None
    assert Image.objects.filter(owner=owner).count() == 1
