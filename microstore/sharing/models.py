"""Personal share links for a stall or a product, and the visits they brought.

A link belongs to one sharer and points at one stall (``product`` empty) or one product of
that stall. Referral is one level by design: an order records only the sharer of the link it
came through, never anyone further up (see README, "Principles").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
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
