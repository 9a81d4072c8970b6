"""Creating, processing, failing, re-rendering and deleting images through the services."""

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from microstore.images import pipeline
from microstore.images.models import Image, Purpose, Status
from microstore.images.services import image_create, image_delete, image_process
from microstore.images.storage import private_storage
from microstore.images.tasks import MAX_RETRIES, process_image
from microstore.notifications.models import Notification
from tests.images.conftest import private_files, rendition_files
from tests.images.corpus import good_by_id, jpeg

pytestmark = pytest.mark.django_db


def test_an_upload_is_stored_privately_under_a_server_made_name_and_processed_after_commit(
    owner, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("../../etc/passwd<script>.jpg", jpeg(900, 700))

    with django_capture_on_commit_callbacks() as callbacks:
        image = image_create(upload=upload, purpose=Purpose.PRODUCT, owner=owner)
        assert rendition_files() == set()

    assert image.status == Status.PENDING
    assert image.original.name == f"originals/{image.pk}.jpg"
    assert private_files() == {image.original.name}
    assert (image.width, image.height, image.format) == (900, 700, "jpeg")
    assert len(callbacks) == 1  # the processing task, once the transaction commits

    callbacks[0]()
    image.refresh_from_db()
    assert image.status == Status.READY
    assert image.attempts == 1
    assert {r["width"] for r in image.renditions} == {320, 800}
    assert rendition_files() == image.rendition_names()
    assert all(name.startswith(f"img/{image.pk}/") for name in image.rendition_names())


def test_an_unchecked_upload_is_checked_by_the_service_itself(owner):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        image_create(
            upload=SimpleUploadedFile("x.jpg", b"%PDF-1.4"), purpose=Purpose.AVATAR, owner=owner
        )
    assert Image.objects.count() == 0


def test_processing_twice_changes_nothing_and_duplicates_no_file(make_image):
    image = make_image(good_by_id()["webp"].data)
    files = rendition_files()
    assert len(files) == 6

    again = image_process(image_id=image.pk)
    forced = image_process(image_id=image.pk, force=True)

    assert again.processed_at == image.processed_at  # ready with the current spec: a no-op
    assert forced.renditions == image.renditions  # same content, same names
    assert rendition_files() == files
    assert Image.objects.get(pk=image.pk).attempts == 2


def test_a_new_rendition_size_replaces_the_old_files(
    make_image, settings, django_capture_on_commit_callbacks
):
    image = make_image(good_by_id()["webp"].data)
    old = rendition_files()

    settings.IMAGE_RENDITION_WIDTHS = (480, 1200)
    with django_capture_on_commit_callbacks(execute=True):
        image = image_process(image_id=image.pk)

    assert {(r["width"], r["format"]) for r in image.renditions} == {
        (1200, "webp"),
        (1200, "jpeg"),
        (480, "webp"),
        (480, "jpeg"),
    }
    assert rendition_files() == image.rendition_names()
    assert not old & rendition_files()


def test_a_missing_original_is_retried_then_marked_failed_and_the_owner_told(
    make_image, owner, django_capture_on_commit_callbacks
):
    image = make_image(jpeg(900, 700), process=False)
    private_storage.delete(image.original.name)  # decoded fine at upload, gone now

    with django_capture_on_commit_callbacks(execute=True):
        process_image.delay(image_id=str(image.pk))

    image.refresh_from_db()
    assert image.status == Status.FAILED
    assert image.attempts == MAX_RETRIES + 1
    assert "FileNotFoundError" in image.error
    notification = Notification.objects.get(recipient=owner, kind="images.failed")
    assert notification.context == {
        "purpose_label": "profile photo",
        "reason": "the uploaded file could not be read back from our storage.",
    }
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]
    assert "could not be processed" in mail.outbox[0].body
    assert "/account/profile/" in mail.outbox[0].body


def test_an_original_that_cannot_be_decoded_fails_at_once_without_retries(
    make_image, owner, django_capture_on_commit_callbacks
):
    image = make_image(jpeg(900, 700), process=False)
    with private_storage.open(image.original.name, "wb") as original:
        original.write(b"\xff\xd8\xff" + b"\x00" * 64)

    with django_capture_on_commit_callbacks(execute=True):
        process_image.delay(image_id=str(image.pk))

    image.refresh_from_db()
    assert image.status == Status.FAILED
    assert image.attempts == 1
    assert Notification.objects.filter(recipient=owner, kind="images.failed").count() == 1
    assert rendition_files() == set()


def test_a_failed_image_is_not_reported_twice(
    make_image, owner, django_capture_on_commit_callbacks
):
    image = make_image(jpeg(900, 700), process=False)
    private_storage.delete(image.original.name)

    with django_capture_on_commit_callbacks(execute=True):
        process_image.delay(image_id=str(image.pk))
        process_image.delay(image_id=str(image.pk))

    assert Notification.objects.filter(recipient=owner, kind="images.failed").count() == 1


def test_a_failed_re_render_keeps_a_ready_photo_online_and_bothers_nobody(
    make_image, owner, django_capture_on_commit_callbacks
):
    image = make_image(jpeg(900, 700))
    files = rendition_files()
    private_storage.delete(image.original.name)

    with django_capture_on_commit_callbacks(execute=True):
        process_image.delay(image_id=str(image.pk), force=True)

    image.refresh_from_db()
    assert image.status == Status.READY
    assert "FileNotFoundError" in image.error
    assert rendition_files() == files
    assert not Notification.objects.filter(kind="images.failed").exists()


def test_a_task_for_a_deleted_image_does_nothing(make_image):
    image = make_image(jpeg(900, 700), process=False)
    image_id = str(image.pk)
    image.delete()

    assert process_image.delay(image_id=image_id).get() == "gone"


def test_deleting_an_image_deletes_its_files_after_commit(
    make_image, django_capture_on_commit_callbacks
):
    image = make_image(jpeg(900, 700))
    assert rendition_files() and private_files()

    with django_capture_on_commit_callbacks(execute=True):
        image_delete(image=image)

    assert rendition_files() == set()
    assert private_files() == set()


def test_deleting_an_account_deletes_its_photos(
    make_image, owner, django_capture_on_commit_callbacks
):
    make_image(jpeg(900, 700))

    with django_capture_on_commit_callbacks(execute=True):
        owner.delete()

    assert Image.objects.count() == 0
    assert rendition_files() == set() and private_files() == set()


def test_rendition_names_carry_a_content_hash(make_image):
    image = make_image(jpeg(900, 700))

    for rendition in image.renditions:
        folder, name = rendition["name"].rsplit("/", 1)
        assert folder == f"img/{image.pk}"
        width, rest = name.split("w-")
        assert int(width) == rendition["width"]
        assert len(rest.split(".")[0]) == 8
        assert default_storage.exists(rendition["name"])


def test_the_current_spec_is_recorded(make_image, settings):
    image = make_image(jpeg(900, 700))

    assert image.rendition_spec == pipeline.spec(settings.IMAGE_RENDITION_WIDTHS)


def test_retries_back_off_exponentially_with_a_little_jitter():
    from microstore.images.tasks import backoff

    delays = [backoff(retries) for retries in range(MAX_RETRIES)]

    for retries, delay in enumerate(delays):
        base = 10 * 2**retries
        assert base <= delay <= base * 1.25


def test_nobody_can_wear_someone_elses_photo(make_image, owner, stranger):
    from microstore.accounts.services import user_set_avatar
    from microstore.errors import DomainError

    image = make_image(jpeg(900, 700))

    with pytest.raises(DomainError):
        user_set_avatar(user=stranger, image=image)
    stranger.refresh_from_db()
    assert stranger.avatar is None
