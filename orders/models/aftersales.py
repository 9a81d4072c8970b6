"""After the sale: 7-day returns and complaints (disputes) a buyer can open on an order."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from microstore.images.models import Image
from orders.models.order import Order, OrderLine
from shops.models import Shop


class ReturnRequest(models.Model):
    """request → accepted or refused → shipped back → refunded (or withdrawn by the buyer)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("waiting for the seller")
        ACCEPTED = "accepted", _("accepted: send the goods back")
        REFUSED = "refused", _("refused by the seller")
        SHIPPED_BACK = "shipped_back", _("on its way back")
        REFUNDED = "refunded", _("refunded")
        CANCELLED = "cancelled", _("withdrawn")

    ACTIVE = (Status.REQUESTED, Status.ACCEPTED, Status.SHIPPED_BACK)

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="returns", verbose_name=_("order")
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.REQUESTED
    )
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    refusal_reason = models.TextField(_("reason for refusing"), max_length=2000, blank=True)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    amount = models.DecimalField(_("refund amount"), max_digits=12, decimal_places=2)
    restock = models.BooleanField(_("put back in stock"), default=False)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("sent back"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status__in=["requested", "accepted", "shipped_back"]),
                name="orders_return_one_active_per_order",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="orders_return_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}: {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class ReturnLine(models.Model):
    request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="lines", verbose_name=_("return")
    )
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="+", verbose_name=_("order line")
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("returned line")
        verbose_name_plural = _("returned lines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="orders_returnline_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.order_line_id}"


class ReturnPhoto(models.Model):
    request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="photos", verbose_name=_("return")
    )
    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("return photo")
        verbose_name_plural = _("return photos")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.request} #{self.position}"


class Dispute(models.Model):
    """A buyer's complaint: the seller answers by a deadline; either side may escalate to the
    platform, whose ruling (refund in full, in part, or reject) both sides see."""

    class Kind(models.TextChoices):
        NOT_RECEIVED = "not_received", _("not received")
        NOT_AS_DESCRIBED = "not_as_described", _("not as described")
        RETURN_REFUSED = "return_refused", _("return refused")
        DAMAGED = "damaged", _("arrived damaged")
        OTHER = "other", _("something else")

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for the seller")
        ANSWERED = "answered", _("seller answered")
        ESCALATED = "escalated", _("with microstore")
        RESOLVED = "resolved", pgettext_lazy("complaint status", "decided")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Outcome(models.TextChoices):
        REFUND_FULL = "refund_full", _("refund in full")
        REFUND_PART = "refund_part", _("refund in part")
        REJECTED = "rejected", _("complaint rejected")

    ACTIVE = (Status.OPEN, Status.ANSWERED, Status.ESCALATED)

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("order")
    )
    # Copied from the order: the trust score counts disputes per stall.
    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("stall")
    )
    kind = models.CharField(_("problem"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    outcome = models.CharField(_("ruling"), max_length=12, choices=Outcome.choices, blank=True)
    statement = models.TextField(_("what happened"), max_length=4000)
    seller_answer = models.TextField(_("seller's answer"), max_length=4000, blank=True)
    escalation_note = models.TextField(_("why it was escalated"), max_length=4000, blank=True)
    escalated_by = models.CharField(_("escalated by"), max_length=10, blank=True)
    ruling_reason = models.TextField(_("reason for the ruling"), max_length=4000, blank=True)
    refund_amount = models.DecimalField(
        _("refund granted"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    answer_by = models.DateTimeField(_("seller answers by"))
    opened_at = models.DateTimeField(_("opened on"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("ruled on"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["shop", "status", "-opened_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status__in=["open", "answered", "escalated"]),
                name="orders_dispute_one_active_per_order",
            ),
            models.CheckConstraint(
                condition=models.Q(refund_amount__isnull=True) | models.Q(refund_amount__gt=0),
                name="orders_dispute_refund_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}: {self.get_kind_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE
