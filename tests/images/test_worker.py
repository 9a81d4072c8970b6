"""A real Celery worker, over the real Redis broker, turns an upload into renditions."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from microstore.images.models import Image, Purpose, Status
from microstore.images.services import image_create
from tests.factories import UserFactory
from tests.images.conftest import assert_no_metadata, read
from tests.images.corpus import good_by_id

pytestmark = pytest.mark.redis


def test_a_real_worker_processes_an_upload_after_commit(running_worker):
    owner = UserFactory()
    broker = running_worker.connection_for_write().default_channel.client
    upload = SimpleUploadedFile("IMG_2040.JPG", good_by_id()["rotated-jpeg-with-gps"].data)

    with transaction.atomic():
        image = image_create(upload=upload, purpose=Purpose.REVIEW, owner=owner)
        assert broker.llen(running_worker.conf.task_default_queue) == 0  # not before commit

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        image = Image.objects.get(pk=image.pk)
        if image.status != Status.PENDING:
            break
        time.sleep(0.1)
    assert image.status == Status.READY, f"the worker did not process the image: {image.error}"
    assert (image.width, image.height) == (900, 1200)
    assert {r["width"] for r in image.renditions} == {320, 800}
    for rendition in image.renditions:
        assert_no_metadata(read(rendition["name"]))
