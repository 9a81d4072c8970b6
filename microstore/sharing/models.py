"""Personal share links for a stall or a product, and the visits they brought.

A link belongs to one sharer and points at one stall (``product`` empty) or one product of
that stall. Referral is one level by design: an order records only the sharer of the link it
came through, never anyone further up (see README, "Principles").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from shops.models import Shop


class ShareLink(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="share_links",
        verbose_name=_("sharer"),
    )
    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="share_links", verbose_name=_("stall")
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="share_links",
        verbose_name=_("product"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "shop"],
                condition=Q(product__isnull=True),
                name="sharing_one_stall_link_per_user",
            ),
            models.UniqueConstraint(
                fields=["user", "product"],
                condition=Q(product__isnull=False),
                name="sharing_one_product_link_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("sharing:visit", kwargs={"code": self.code})

    def target_url(self) -> str:
        if self.product_id:
            return self.product.get_absolute_url()
        return self.shop.get_absolute_url()

    def target_title(self) -> str:
        return self.product.title if self.product_id else self.shop.name


class ShareVisit(models.Model):
    """One visit through a link: when, and nothing about who."""

    link = models.ForeignKey(
        ShareLink, on_delete=models.CASCADE, related_name="visits", verbose_name=_("share link")
    )
    visited_at = models.DateTimeField(_("visited"), auto_now_add=True)

    class Meta:
        verbose_name = _("share visit")
        verbose_name_plural = _("share visits")
        indexes = [models.Index(fields=["link", "visited_at"])]

    def __str__(self) -> str:
        return f"{self.link} @ {self.visited_at:%Y-%m-%d %H:%M}"


class SharePoster(models.Model):
    """The poster image of a product link (a PNG in ``default_storage``), made by a task.

    ``fingerprint`` is the sha256 of what the poster shows (see ``poster.PosterFacts``): when
    the product, the stall or the link changes, a new request sees a different fingerprint and
    has the poster made again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("being made")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    link = models.OneToOneField(
        ShareLink, on_delete=models.CASCADE, related_name="poster", verbose_name=_("share link")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    image_name = models.CharField(_("image file"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    made_at = models.DateTimeField(_("made"), null=True, blank=True)

    class Meta:
        verbose_name = _("share poster")
        verbose_name_plural = _("share posters")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "ready", "failed"]),
                name="sharing_poster_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.link} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.image_name)

    @property
    def version(self) -> str:
        """A short token for the image's URL: a new poster gets a new URL."""
        return self.fingerprint[:12]
