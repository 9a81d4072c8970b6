"""manage.py rerender_images: after a rendition change, every photo is made again."""

from io import StringIO

import pytest
from django.core.management import call_command

from microstore.images.models import Status
from microstore.images.storage import private_storage
from microstore.notifications.models import Notification
from tests.images.conftest import rendition_files
from tests.images.corpus import jpeg

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("rerender_images", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_width_change_re_renders_everything_with_a_progress_bar(
    make_image, settings, django_capture_on_commit_callbacks
):
    images = [make_image(jpeg(1000, 800)) for _ in range(3)]
    old = rendition_files()
    settings.IMAGE_RENDITION_WIDTHS = (480, 960)

    with django_capture_on_commit_callbacks(execute=True):
        out, err = run()

    assert "[##########--------------------] 1/3" in out
    assert "[##############################] 3/3" in out
    assert "3 images: 3 rendered, 0 failed." in out
    assert err == ""
    for image in images:
        image.refresh_from_db()
        assert {r["width"] for r in image.renditions} == {480, 960}
    assert not old & rendition_files()


def test_only_failed_images_when_asked(make_image, django_capture_on_commit_callbacks):
    ready = make_image(jpeg(900, 700))
    failed = make_image(jpeg(900, 700), process=False)
    failed.status = Status.FAILED
    failed.save()

    out, _ = run("--status", "failed")

    assert "1 images: 1 rendered, 0 failed." in out
    failed.refresh_from_db()
    assert failed.status == Status.READY
    assert ready.processed_at == type(ready).objects.get(pk=ready.pk).processed_at


def test_images_that_cannot_be_rendered_are_reported(
    make_image, owner, django_capture_on_commit_callbacks
):
    image = make_image(jpeg(900, 700), process=False)
    private_storage.delete(image.original.name)

    with django_capture_on_commit_callbacks(execute=True):
        out, err = run("--purpose", "avatar")

    assert "1 images: 0 rendered, 1 failed." in out
    assert str(image.pk) in err and "FileNotFoundError" in err
    image.refresh_from_db()
    assert image.status == Status.FAILED
    assert Notification.objects.filter(recipient=owner, kind="images.failed").exists()


def test_queue_hands_the_work_to_the_workers(make_image, django_capture_on_commit_callbacks):
    image = make_image(jpeg(900, 700), process=False)

    with django_capture_on_commit_callbacks(execute=True):
        out, _ = run("--queue")

    assert "1 images queued." in out
    image.refresh_from_db()
    assert image.status == Status.READY  # tests run tasks in-process


def test_nothing_to_do_is_said_plainly(db):
    out, _ = run("--purpose", "product")

    assert out == "No images to re-render.\n"
