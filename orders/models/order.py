"""Orders: one per stall per checkout, with lines copied at purchase time and a timeline.

The lifecycle is one table (``TRANSITIONS``): for each action, the states it may start from,
the state it leads to and who may take it. ``orders.services.lifecycle`` is the only code that
changes ``Order.status``, through that table.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Completeness, Product, Variant
from microstore.money import CNY
from shops.models import Region, Shop


class Status(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("awaiting payment")
    PAID = "paid", _("paid")
    SHIPPED = "shipped", _("shipped")
    RECEIVED = "received", _("received")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")
    REFUNDED = "refunded", _("refunded")


class Role(models.TextChoices):
    """Who acts on an order. SYSTEM is the site itself: timers and the payment gateway."""

    BUYER = "buyer", _("buyer")
    SELLER = "seller", _("seller")
    PLATFORM = "platform", _("microstore")
    SYSTEM = "system", _("automatic")


class Action(models.TextChoices):
    PLACE = "place", _("order placed")
    PAY = "pay", _("paid online")
    CONFIRM_PAYMENT = "confirm_payment", _("payment received by the seller")
    CANCEL = "cancel", _("cancelled")
    SHIP = "ship", _("shipped")
    CONFIRM_RECEIPT = "confirm_receipt", _("receipt confirmed")
    COMPLETE = "complete", _("completed")
    REFUND = "refund", _("refunded in full")
    # Steps that do not change the order's status but belong on its timeline.
    REFUND_PART = "refund_part", _("refunded in part")
    # Money the gateway took after the order closed (cancelled by the timer, paid twice).
    LATE_PAYMENT_REFUNDED = "late_payment_refund", _("late payment refunded")
    RETURN_REQUESTED = "return_requested", _("return requested")
    RETURN_ACCEPTED = "return_accepted", _("return accepted")
    RETURN_REFUSED = "return_refused", _("return refused")
    RETURN_SHIPPED = "return_shipped", _("return sent back")
    RETURN_RECEIVED = "return_received", _("returned goods received")
    RETURN_CANCELLED = "return_cancelled", _("return withdrawn")
    DISPUTE_OPENED = "dispute_opened", _("complaint opened")
    DISPUTE_ANSWERED = "dispute_answered", _("seller answered the complaint")
    DISPUTE_ESCALATED = "dispute_escalated", _("complaint escalated to microstore")
    DISPUTE_RESOLVED = "dispute_resolved", _("complaint decided")
    DISPUTE_WITHDRAWN = "dispute_withdrawn", _("complaint withdrawn")


# action → (states it may start from, state it leads to, roles that may take it)
TRANSITIONS: dict[str, tuple[frozenset, str, frozenset]] = {
    Action.PAY: (frozenset({Status.AWAITING_PAYMENT}), Status.PAID, frozenset({Role.SYSTEM})),
    Action.CONFIRM_PAYMENT: (
        frozenset({Status.AWAITING_PAYMENT}),
        Status.PAID,
        frozenset({Role.SELLER}),
    ),
    Action.CANCEL: (
        frozenset({Status.AWAITING_PAYMENT}),
        Status.CANCELLED,
        frozenset({Role.BUYER, Role.SELLER, Role.SYSTEM, Role.PLATFORM}),
    ),
    Action.SHIP: (frozenset({Status.PAID}), Status.SHIPPED, frozenset({Role.SELLER})),
    Action.CONFIRM_RECEIPT: (
        frozenset({Status.SHIPPED}),
        Status.RECEIVED,
        frozenset({Role.BUYER, Role.SYSTEM}),
    ),
    Action.COMPLETE: (frozenset({Status.RECEIVED}), Status.COMPLETED, frozenset({Role.SYSTEM})),
    # A full refund: the seller cannot ship (paid → refunded), a return or a dispute ruling.
    Action.REFUND: (
        frozenset({Status.PAID, Status.SHIPPED, Status.RECEIVED, Status.COMPLETED}),
        Status.REFUNDED,
        frozenset({Role.SELLER, Role.PLATFORM, Role.SYSTEM}),
    ),
}

PAID_STATUSES = (Status.PAID, Status.SHIPPED, Status.RECEIVED, Status.COMPLETED)


class PaymentMethod(models.TextChoices):
    DIRECT = "direct", _("Pay the seller directly")
    SANDBOX = "sandbox", _("Online payment (sandbox)")


class CheckoutGroup(models.Model):
    """The orders one checkout created, one per stall. ``token`` is the idempotency key the
    checkout form carries: submitting it twice finds this row and creates nothing more."""

    token = models.UUIDField(_("checkout token"), unique=True)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="checkouts",
        verbose_name=_("buyer"),
    )
    created_at = models.DateTimeField(_("placed"), auto_now_add=True)

    class Meta:
        verbose_name = _("checkout")
        verbose_name_plural = _("checkouts")

    def __str__(self) -> str:
        return str(self.token)


def _amount(label):
    return models.DecimalField(label, max_digits=12, decimal_places=2)


class Order(models.Model):
    Status = Status
    PaymentMethod = PaymentMethod

    number = models.CharField(_("order number"), max_length=20, unique=True, editable=False)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    checkout = models.ForeignKey(
        CheckoutGroup,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("checkout"),
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("buyer"),
    )
    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="orders", verbose_name=_("stall")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.AWAITING_PAYMENT
    )
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices
    )

    # The delivery address, copied from the address book at checkout.
    recipient = models.CharField(pgettext_lazy("delivery address", "recipient"), max_length=40)
    mobile = models.CharField(_("mobile number"), max_length=11)
    province = models.CharField(_("province"), max_length=20, choices=Region.choices)
    city = models.CharField(_("city"), max_length=40)
    district = models.CharField(_("district or county"), max_length=40)
    street = models.CharField(_("street address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    buyer_note = models.CharField(_("note to the seller"), max_length=200, blank=True)

    # Money, computed once by the checkout service and stored.
    currency = models.CharField(_("currency"), max_length=3, default=CNY, editable=False)
    subtotal = _amount(_("goods"))
    shipping_fee = _amount(_("shipping"))
    total = _amount(_("total"))
    refunded_total = models.DecimalField(_("refunded"), max_digits=12, decimal_places=2, default=0)

    # Who shared the link the buyer came through (one level only: see microstore.sharing).
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referred_orders",
        verbose_name=_("referred by"),
    )
    share_link = models.ForeignKey(
        "sharing.ShareLink",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("share link"),
    )

    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)

    placed_at = models.DateTimeField(_("placed"), auto_now_add=True)
    pay_by = models.DateTimeField(_("pay by"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    auto_receive_at = models.DateTimeField(
        _("receipt confirmed automatically on"), null=True, blank=True
    )
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    return_until = models.DateTimeField(_("returns accepted until"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-pk"]
        indexes = [
            models.Index(fields=["buyer", "-placed_at"]),
            models.Index(fields=["shop", "status", "-placed_at"]),
            # The timers: unpaid orders past pay_by, shipped orders past auto_receive_at,
            # received orders past return_until.
            models.Index(fields=["status", "pay_by"]),
            models.Index(fields=["status", "auto_receive_at"]),
            models.Index(fields=["status", "return_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="orders_order_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(subtotal__gte=0, shipping_fee__gte=0, refunded_total__gte=0),
                name="orders_order_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(total=models.F("subtotal") + models.F("shipping_fee")),
                name="orders_order_total_is_sum",
            ),
            # The last line of defence against refunding more than was paid.
            models.CheckConstraint(
                condition=models.Q(refunded_total__lte=models.F("total")),
                name="orders_order_refund_within_total",
            ),
            models.CheckConstraint(
                condition=models.Q(currency=CNY), name="orders_order_currency_cny"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        """The buyer's page of this order; the stall's side is ``get_seller_url``."""
        return reverse("orders:detail", kwargs={"number": self.number})

    def get_seller_url(self) -> str:
        return reverse(
            "orders:seller-detail", kwargs={"shop_slug": self.shop.slug, "number": self.number}
        )

    def address_lines(self) -> list[str]:
        return [
            f"{self.recipient} {self.mobile}",
            f"{self.get_province_display()} {self.city} {self.district}",
            self.street + (f" ({self.postcode})" if self.postcode else ""),
        ]

    @property
    def refundable(self):
        return self.total - self.refunded_total

    @property
    def is_paid(self) -> bool:
        return self.status in PAID_STATUSES

    def can(self, action: str, role: str) -> bool:
        """Whether ``role`` may take ``action`` in the order's current state (the table only;
        services check time limits and the rest)."""
        sources, _target, roles = TRANSITIONS[action]
        return self.status in sources and role in roles


class OrderLine(models.Model):
    """What was bought, as it was at purchase: title, variant, SKU, unit price and the state
    of the provenance card are copied, so later edits of the product change no order."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("product"),
    )
    variant = models.ForeignKey(
        Variant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("variant"),
    )
    title = models.CharField(_("title"), max_length=120)
    variant_name = models.CharField(_("variant"), max_length=120, blank=True)
    sku = models.CharField(_("SKU"), max_length=40)
    unit_price = _amount(_("unit price"))
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total = _amount(_("line total"))
    provenance = models.CharField(
        _("provenance at purchase"), max_length=10, choices=Completeness.choices
    )
    returns_excluded = models.BooleanField(_("excluded from 7-day returns"), default=False)
    returned_quantity = models.PositiveIntegerField(_("returned"), default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="orders_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(returned_quantity__lte=models.F("quantity")),
                name="orders_line_returned_within_quantity",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0, line_total__gte=0),
                name="orders_line_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.title}"


class OrderEvent(models.Model):
    """One step on an order's timeline, shown to both sides: who, when, from, to, note."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order")
    )
    action = models.CharField(_("what"), max_length=20, choices=Action.choices)
    old_status = models.CharField(
        pgettext_lazy("order status", "from"), max_length=20, choices=Status.choices, blank=True
    )
    new_status = models.CharField(
        pgettext_lazy("order status", "to"), max_length=20, choices=Status.choices
    )
    role = models.CharField(_("by"), max_length=10, choices=Role.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("person"),
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order}: {self.get_action_display()}"
