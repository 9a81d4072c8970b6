"""Verified-purchase reviews: one per order line, with photos, a follow-up, the seller's public
replies, helpful votes, reports and an edit history the admins can read."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from microstore.images.models import Image
from orders.models import OrderLine
from orders.models import Status as OrderStatus
from shops.models import Shop

RATINGS = (1, 2, 3, 4, 5)
# Orders whose lines can be reviewed, and whose reviews count: the buyer has the goods.
REVIEWABLE_STATUSES = (OrderStatus.RECEIVED, OrderStatus.COMPLETED)


class Review(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", _("shown")
        HIDDEN = "hidden", _("removed by moderation")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # One review per line bought: the line is the proof of purchase.
    order_line = models.OneToOneField(
        OrderLine, on_delete=models.PROTECT, related_name="review", verbose_name=_("order line")
    )
    product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
        verbose_name=_("product"),
    )
    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("stall")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("author"),
    )
    variant_name = models.CharField(_("variant bought"), max_length=120, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("review"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VISIBLE
    )
    hidden_reason = models.TextField(_("reason for removal"), max_length=2000, blank=True)
    seller_reply = models.TextField(_("seller's reply"), max_length=2000, blank=True)
    seller_replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    # Kept by the services so lists sort on indexed columns.
    helpful_count = models.PositiveIntegerField(_("found helpful"), default=0, editable=False)
    photo_count = models.PositiveSmallIntegerField(_("photos"), default=0, editable=False)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["product", "status", "-created_at"]),
            models.Index(fields=["product", "status", "-helpful_count"]),
            models.Index(fields=["product", "status", "rating"]),
            models.Index(fields=["shop", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="reviews_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["visible", "hidden"]), name="reviews_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.product or self.order_line.title}"

    @property
    def is_hidden(self) -> bool:
        return self.status == self.Status.HIDDEN


class ReviewPhoto(models.Model):
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="photos", verbose_name=_("review")
    )
    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.review_id} #{self.position}"


class FollowUp(models.Model):
    """How the product held up, added once, 15 days or more after the review."""

    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, related_name="follow_up", verbose_name=_("review")
    )
    text = models.TextField(_("follow-up"), max_length=2000)
    seller_reply = models.TextField(_("seller's reply"), max_length=2000, blank=True)
    seller_replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"follow-up of {self.review_id}"


class ReviewRevision(models.Model):
    """What a review said before an edit: history for the admins."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("review")
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("review"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("replaced"), auto_now_add=True)

    class Meta:
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.review_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class HelpfulVote(models.Model):
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="votes", verbose_name=_("review")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("helpful vote")
        verbose_name_plural = _("helpful votes")
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="reviews_vote_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.review_id}"


class ReviewReport(models.Model):
    """Someone thinks a review breaks the rules; the moderators hide it or keep it."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("spam or advertising")
        ABUSE = "abuse", _("abusive or hateful")
        PRIVATE = "private", _("shares private data")
        OFF_TOPIC = "off_topic", _("not about the product")

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for a moderator")
        KEPT = "kept", _("review kept")
        HIDDEN = "hidden", _("review removed")

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="reports", verbose_name=_("review")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.TextField(_("details"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("moderator's reason"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("review report")
        verbose_name_plural = _("review reports")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reporter"], name="reviews_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.review_id}"


class ProductRating(models.Model):
    """A product's visible reviews summed up, kept by the review services: count, average,
    the 5★…1★ distribution and the smoothed (Bayesian) mean used for ranking."""

    product = models.OneToOneField(
        Product, on_delete=models.CASCADE, related_name="rating", verbose_name=_("product")
    )
    count = models.PositiveIntegerField(_("reviews"), default=0)
    average = models.DecimalField(_("average"), max_digits=3, decimal_places=2, default=0)
    smoothed = models.DecimalField(_("smoothed average"), max_digits=3, decimal_places=2, default=0)
    distribution = models.JSONField(_("distribution"), default=list)  # [n1★, …, n5★]
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("product rating")
        verbose_name_plural = _("product ratings")

    def __str__(self) -> str:
        return f"{self.product_id}: {self.average} ({self.count})"
