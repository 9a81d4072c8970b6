"""Money in and out of an order, whatever the provider: payments, refunds and the gateway's
callbacks (kept so a replayed callback is recognised and ignored)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microstore.money import CNY
from orders.models.order import Order, PaymentMethod, Role


class Payment(models.Model):
    """One attempt to pay an order through a provider."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        PAID = "paid", _("paid")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")
        # Taken by the gateway after the order closed, and given straight back.
        REFUNDED = "refunded", _("refunded")

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="payments", verbose_name=_("order")
    )
    provider = models.CharField(_("provider"), max_length=20, choices=PaymentMethod.choices)
    # Ours: what the gateway is told and echoes back in its callback.
    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    # Theirs: the gateway's transaction id, once it tells us.
    provider_reference = models.CharField(_("provider reference"), max_length=64, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default=CNY, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-pk"]
        # The reconciliation sweep: pending payments by age.
        indexes = [models.Index(fields=["status", "created_at"], name="orders_payment_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="orders_payment_amount_positive"
            ),
            # An order is paid once, whatever arrives later.
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status="paid"),
                name="orders_payment_paid_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.amount} {self.get_status_display()}"


class Refund(models.Model):
    """Money given back, recorded through the provider the order was paid with."""

    class Source(models.TextChoices):
        SELLER = "seller", _("seller cancelled after payment")
        RETURN = "return", _("return")
        DISPUTE = "dispute", _("complaint ruling")
        LATE_PAYMENT = "late", _("paid after the order closed")

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("order")
    )
    payment = models.ForeignKey(
        Payment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("payment"),
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default=CNY, editable=False)
    source = models.CharField(_("why"), max_length=10, choices=Source.choices)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=64, blank=True)
    role = models.CharField(_("by"), max_length=10, choices=Role.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("person"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="orders_refund_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} -{self.amount}"


class GatewayEvent(models.Model):
    """A callback we accepted from a payment gateway. Unique per provider and event id, so a
    replay finds its twin and changes nothing."""

    provider = models.CharField(_("provider"), max_length=20, choices=PaymentMethod.choices)
    event_id = models.CharField(_("event id"), max_length=64)
    payment = models.ForeignKey(
        Payment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gateway_events",
        verbose_name=_("payment"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("gateway callback")
        verbose_name_plural = _("gateway callbacks")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="orders_gatewayevent_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


class SandboxCharge(models.Model):
    """The sandbox gateway's own record of what the buyer decided on its hosted page: its
    database, not ours (a real gateway keeps this on its side). ``body`` is the callback it
    delivers, and what its query API answers when asked about the payment."""

    reference = models.UUIDField(_("reference"), unique=True)
    body = models.TextField(_("callback"))
    created_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox gateway charge")
        verbose_name_plural = _("sandbox gateway charges")

    def __str__(self) -> str:
        return str(self.reference)
