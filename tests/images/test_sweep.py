"""Originals saved by a transaction that rolled back are swept once they are an hour old."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from microstore.images.models import Purpose
from microstore.images.services import image_create, images_sweep_orphans
from microstore.images.tasks import sweep_orphan_originals
from tests.images.conftest import private_files
from tests.images.corpus import jpeg

pytestmark = pytest.mark.django_db


class FormFailedLater(Exception):
    pass


def upload_then_roll_back(owner) -> None:
    """A form stores its photo, then something after it fails and the transaction rolls back."""
    try:
        with transaction.atomic():
            image_create(
                upload=SimpleUploadedFile("p.jpg", jpeg(900, 700)),
                purpose=Purpose.PRODUCT,
                owner=owner,
            )
            raise FormFailedLater
    except FormFailedLater:
        pass


def test_an_original_whose_transaction_rolled_back_is_swept_after_an_hour(owner, make_image):
    kept = make_image(jpeg(900, 700), process=False)
    upload_then_roll_back(owner)
    assert len(private_files()) == 2  # the rolled-back upload's file is still there

    assert images_sweep_orphans(now=timezone.now()) == 0  # too fresh: it may still be saved
    swept = images_sweep_orphans(now=timezone.now() + timedelta(hours=1, minutes=1))

    assert swept == 1
    assert private_files() == {kept.original.name}


def test_the_sweep_runs_nightly_and_copes_with_no_uploads_yet():
    entry = settings.CELERY_BEAT_SCHEDULE["images-sweep-orphan-originals"]
    assert entry["task"] == "microstore.images.tasks.sweep_orphan_originals"
    assert sweep_orphan_originals.delay().get() == 0


@pytest.mark.parametrize("images", [1, 30])
def test_the_sweep_reads_the_database_once_per_batch(
    owner, make_image, images, django_assert_max_num_queries
):
    for _ in range(images):
        make_image(jpeg(300, 300), process=False)

    with django_assert_max_num_queries(1):
        assert images_sweep_orphans(now=timezone.now() + timedelta(hours=2)) == 0
