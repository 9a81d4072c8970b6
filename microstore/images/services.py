"""Every write to images: create from an upload, process, fail, re-render, delete."""

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from microstore.images import pipeline
from microstore.images.models import ORIGINALS_DIR, RENDITION_EXTENSIONS, Image, Status
from microstore.images.storage import private_storage
from microstore.images.validation import CheckedImage, check_upload
from microstore.queue import enqueue_on_commit
from microstore.storage_sweep import sweep_orphans

logger = logging.getLogger(__name__)

RENDITION_NAME = re.compile(
    r"^img/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/"
    r"[1-9][0-9]{0,4}w-[0-9a-f]{8}\.(webp|jpg)$"
)

# What the owner is told; the technical detail stays in Image.error for the admins.
REASON_UNREADABLE = _("the file could not be turned into a picture for the web.")
REASON_STORAGE = _("the uploaded file could not be read back from our storage.")


def current_spec() -> str:
    return pipeline.spec(settings.IMAGE_RENDITION_WIDTHS)


def rendition_name(image_id, rendition: pipeline.Rendition) -> str:
    """``img/<uuid>/<width>w-<hash8>.<ext>``: a new content gets a new name, so the files can
    be cached for a year as immutable."""
    digest = hashlib.sha256(rendition.data).hexdigest()[:8]
    return f"img/{image_id}/{rendition.width}w-{digest}.{RENDITION_EXTENSIONS[rendition.format]}"


@transaction.atomic
def image_create(*, upload, purpose: str, owner) -> Image:
    """Keep the original privately and have renditions made once the transaction commits.

    ``upload`` normally comes from ``ImageUploadField``, which has checked it already; anything
    else is checked here, so no unchecked file is ever stored.
    """
    checked: CheckedImage | None = getattr(upload, "checked", None)
    if checked is None or checked.purpose != purpose:
        checked = check_upload(upload, purpose=purpose)
    image = Image(
        owner=owner,
        purpose=purpose,
        format=checked.format,
        original_bytes=checked.size,
        width=checked.width,
        height=checked.height,
    )
    upload.seek(0)
    image.original.save("original", File(upload), save=False)  # the name is made by upload_to
    image.save()

    from microstore.images.tasks import process_image  # tasks imports this module

    enqueue_on_commit(process_image, image_id=str(image.pk))
    return image


def image_process(*, image_id, force: bool = False) -> Image:
    """Make the renditions of one image. Idempotent: an image that is ready with the current
    rendition spec is left alone (unless ``force``), and files already stored are not written
    again. Renditions replaced by a re-render are deleted after the commit.

    Raises ``OSError`` for storage trouble (worth retrying) and ``pipeline.PipelineError`` when
    the original cannot be processed at all.
    """
    image = Image.objects.get(pk=image_id)
    spec = current_spec()
    if not force and image.status == Status.READY and image.rendition_spec == spec:
        return image
    Image.objects.filter(pk=image.pk).update(attempts=F("attempts") + 1)

    # Slow work outside any transaction: no row lock is held while Pillow runs.
    with image.original.open("rb") as original:
        data = original.read()
    rendered = pipeline.render(data, widths=settings.IMAGE_RENDITION_WIDTHS)
    entries = []
    for rendition in rendered.renditions:
        name = rendition_name(image.pk, rendition)
        if not default_storage.exists(name):
            stored = default_storage.save(name, ContentFile(rendition.data))
            if stored != name:
                # Another run of this task stored the very same bytes under this name in the
                # meantime (the name is their hash): keep that one, drop our renamed copy.
                default_storage.delete(stored)
        entries.append(
            {
                "width": rendition.width,
                "height": rendition.height,
                "format": rendition.format,
                "name": name,
            }
        )

    with transaction.atomic():
        image = Image.objects.select_for_update().get(pk=image.pk)
        replaced = image.rendition_names() - {entry["name"] for entry in entries}
        image.status = Status.READY
        image.renditions = entries
        image.rendition_spec = spec
        image.width = rendered.width
        image.height = rendered.height
        image.dominant_color = rendered.dominant_color
        image.error = ""
        image.processed_at = timezone.now()
        image.save(
            update_fields=[
                "status",
                "renditions",
                "rendition_spec",
                "width",
                "height",
                "dominant_color",
                "error",
                "processed_at",
            ]
        )
        if replaced:
            transaction.on_commit(lambda: delete_files(default_storage, replaced), robust=True)
    return image


@transaction.atomic
def image_fail(*, image_id, reason: str, error: str) -> Image | None:
    """Processing failed for good. A new image is marked failed and its owner told, once.

    An image that is already ready (a re-render failed) keeps its renditions, so the public
    keeps seeing it; the error is recorded for the admins and nobody is bothered.
    """
    image = Image.objects.select_for_update().select_related("owner").filter(pk=image_id).first()
    if image is None or image.status == Status.FAILED:
        return image
    image.error = error[:2000]
    if not image.can_transition_to(Status.FAILED):
        image.save(update_fields=["error"])
        return image
    image.status = Status.FAILED
    image.processed_at = timezone.now()
    image.save(update_fields=["status", "error", "processed_at"])

    from microstore.notifications import notify

    with translation.override(settings.LANGUAGE_CODE):  # the language notification mail uses
        context = {"purpose_label": str(image.get_purpose_display()), "reason": str(reason)}
    notify(
        recipient=image.owner,
        kind="images.failed",
        context=context,
        target=image if image.get_absolute_url() else None,
    )
    return image


def image_delete(*, image: Image) -> None:
    """Delete the row; its files go once the deletion commits (see ``signals``)."""
    image.delete()


def delete_files(storage, names) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Could not delete %s; it is orphaned now.", name, exc_info=True)


def images_sweep_orphans(*, now=None) -> int:
    """Delete uploaded originals that no image names: saved by a transaction that then rolled
    back (a form that failed after its photo was stored). Nightly, by beat."""
    return sweep_orphans(
        storage=private_storage,
        directory=ORIGINALS_DIR,
        named=lambda names: Image.objects.filter(original__in=names).values_list(
            "original", flat=True
        ),
        now=now,
    )


@dataclass
class RerenderSummary:
    total: int = 0
    rendered: int = 0
    queued: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def images_rerender(
    *,
    image_ids: list,
    queue: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RerenderSummary:
    """Re-render the given images now (or enqueue them with ``queue``), reporting progress."""
    from microstore.images.tasks import process_image  # tasks imports this module

    summary = RerenderSummary(total=len(image_ids))
    for done, image_id in enumerate(image_ids, start=1):
        if queue:
            enqueue_on_commit(process_image, image_id=str(image_id), force=True)
            summary.queued += 1
        else:
            try:
                image_process(image_id=image_id, force=True)
                summary.rendered += 1
            except Image.DoesNotExist:
                summary.total -= 1
            except pipeline.PipelineError as exc:
                image_fail(image_id=image_id, reason=REASON_UNREADABLE, error=str(exc))
                summary.failed.append((str(image_id), str(exc)))
            except OSError as exc:
                image_fail(image_id=image_id, reason=REASON_STORAGE, error=repr(exc))
                summary.failed.append((str(image_id), repr(exc)))
        if progress:
            progress(done, len(image_ids))
    return summary
