import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from microstore.images.storage import get_private_storage


class Purpose(models.TextChoices):
    """What a photo is for; decides the minimum size (settings.IMAGE_MIN_SHORT_SIDE)."""

    AVATAR = "avatar", _("profile photo")
    SHOP_LOGO = "shop_logo", _("stall logo")
    SHOP_BANNER = "shop_banner", _("stall banner")
    PRODUCT = "product", _("product photo")
    REVIEW = "review", _("review photo")
    RETURN = "return", _("return photo")
    UPDATE = "update", _("stall update photo")


class Status(models.TextChoices):
    PENDING = "pending", _("processing")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


class Format(models.TextChoices):
    """Formats accepted for upload. Renditions are always WebP plus a JPEG fallback."""

    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"
    WEBP = "webp", "WebP"


# Allowed moves. READY -> READY is a re-render (new renditions replace the old ones). A
# re-render that fails leaves a READY image ready with its old renditions and records the error.
TRANSITIONS = {
    Status.PENDING: {Status.READY, Status.FAILED},
    Status.READY: {Status.READY},
    Status.FAILED: {Status.READY},
}

# Where an owner manages a photo of each purpose (the link in "your photo failed"); other apps
# add theirs as their pages appear.
UPLOAD_PAGES = {Purpose.AVATAR: "accounts:profile"}

RENDITION_CONTENT_TYPES = {"webp": "image/webp", "jpeg": "image/jpeg"}
RENDITION_EXTENSIONS = {"webp": "webp", "jpeg": "jpg"}


ORIGINALS_DIR = "originals"


def original_upload_to(instance: "Image", filename: str) -> str:
    """Server-made names only: the uploader's file name is never used (nor trusted)."""
    extension = RENDITION_EXTENSIONS.get(instance.format, instance.format)
    return f"{ORIGINALS_DIR}/{instance.pk}.{extension}"


class Image(models.Model):
    """An uploaded photo. The original stays private; public renditions are made by a task.

    Other apps point at it with a foreign key (``Shop.logo = FK(Image, SET_NULL)``); that row
    is what "owns" the photo. ``owner`` is the person who uploaded it.
    """

    Purpose = Purpose
    Status = Status
    Format = Format

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # CASCADE: photos are the uploader's personal data and go with their account; whatever
    # shows a photo points at it with SET_NULL, so deleting a photo never deletes a product.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="images",
        verbose_name=_("owner"),
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    original = models.FileField(
        _("original"),
        storage=get_private_storage,
        upload_to=original_upload_to,
        max_length=200,
    )
    format = models.CharField(_("uploaded format"), max_length=10, choices=Format.choices)
    original_bytes = models.PositiveIntegerField(_("uploaded size in bytes"), default=0)
    # Upright size (after EXIF orientation): known at upload, so pages reserve space at once.
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    dominant_color = models.CharField(_("dominant colour"), max_length=7, blank=True)
    renditions = models.JSONField(_("renditions"), default=list, blank=True)
    rendition_spec = models.CharField(_("rendition spec"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("processing attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(width__gt=0, height__gt=0), name="images_image_has_size"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="images_image_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.width}×{self.height} ({self.pk})"

    def get_absolute_url(self) -> str:
        """The page where the owner manages this photo; "" while its purpose has none."""
        page = UPLOAD_PAGES.get(self.purpose)
        return reverse(page) if page else ""

    @property
    def is_ready(self) -> bool:
        return self.status == Status.READY and bool(self.renditions)

    def can_transition_to(self, to: Status) -> bool:
        return to in TRANSITIONS.get(Status(self.status), set())

    def renditions_of(self, fmt: str) -> list[dict]:
        """Renditions in one format, narrowest first."""
        return sorted((r for r in self.renditions if r["format"] == fmt), key=lambda r: r["width"])

    def jpeg_up_to(self, width: int) -> str:
        """The name of the widest JPEG rendition no wider than ``width`` (the widest of all when
        every one is wider), for pages that must link one file (Open Graph, structured data);
        "" while the image is not ready."""
        if not self.is_ready:
            return ""
        jpegs = self.renditions_of("jpeg")
        chosen = [r for r in jpegs if r["width"] <= width] or jpegs
        return chosen[-1]["name"] if chosen else ""

    def rendition_names(self) -> set[str]:
        return {r["name"] for r in self.renditions}
