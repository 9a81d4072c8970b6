"""What a shopper means to buy (the cart) and where it goes (the address book)."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Variant
from shops.models import Region

mobile_validator = RegexValidator(
    r"^1[3-9][0-9]{9}$",
    _("Enter an 11-digit mainland mobile number starting with 1, for example 13812345678."),
)


class Cart(models.Model):
    """A logged-in shopper's cart (``user``) or an anonymous one (``token`` in the session).
    Logging in merges the anonymous cart into the stored one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cart",
        verbose_name=_("shopper"),
    )
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return str(self.user) if self.user_id else f"anonymous {self.token}"


class CartLine(models.Model):
    """One variant in a cart, with the price the shopper saw when adding it: a later change
    is shown to them, never applied silently."""

    cart = models.ForeignKey(
        Cart, on_delete=models.CASCADE, related_name="lines", verbose_name=_("cart")
    )
    variant = models.ForeignKey(
        Variant, on_delete=models.CASCADE, related_name="+", verbose_name=_("variant")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    price_seen = models.DecimalField(_("price when added"), max_digits=12, decimal_places=2)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="orders_cartline_once"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="orders_cartline_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id}"


class Address(models.Model):
    """A Chinese-style delivery address in a shopper's address book."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="addresses",
        verbose_name=_("shopper"),
    )
    recipient = models.CharField(pgettext_lazy("delivery address", "recipient"), max_length=40)
    mobile = models.CharField(_("mobile number"), max_length=11, validators=[mobile_validator])
    province = models.CharField(_("province"), max_length=20, choices=Region.choices)
    city = models.CharField(_("city"), max_length=40)
    district = models.CharField(_("district or county"), max_length=40)
    street = models.CharField(
        _("street address"),
        max_length=200,
        help_text=_("Street, building, unit and room number."),
    )
    postcode = models.CharField(
        _("postcode"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{6}$", _("A postcode has six digits."))],
    )
    is_default = models.BooleanField(_("default address"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="orders_address_one_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}, {self.one_line()}"

    def one_line(self) -> str:
        return " ".join(
            part for part in (self.get_province_display(), self.city, self.district, self.street)
        )
