"""Reads of the cart, checkout and address book pages, with related rows joined.

``cart_summary`` is the cart as the shopper should see it: lines grouped by stall, each with
what changed since it was added (price, stock, the goods or the stall themselves), the stall's
subtotal and shipping, and the total of what can be bought now. One query for the lines,
whatever their number.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet, Sum

from microstore.money import quantize
from orders.models import Address, Cart, CartLine, CheckoutGroup, Order
from orders.services.cart import buy_refusal
from shops.models import Shop

ZERO = Decimal("0.00")


@dataclass
class LineView:
    line: CartLine
    refusal: str = ""  # why it cannot be bought at all ("" if it can)

    @property
    def variant(self):
        return self.line.variant

    @property
    def product(self):
        return self.line.variant.product

    @property
    def quantity(self) -> int:
        return self.line.quantity

    @property
    def price(self) -> Decimal:
        return self.line.variant.price

    @property
    def price_seen(self) -> Decimal:
        return self.line.price_seen

    @property
    def price_changed(self) -> bool:
        return self.price != self.price_seen

    @property
    def price_went_up(self) -> bool:
        return self.price > self.price_seen

    @property
    def sold_out(self) -> bool:
        return self.variant.stock == 0

    @property
    def short(self) -> bool:
        """More in the cart than in stock (but some left)."""
        return 0 < self.variant.stock < self.quantity

    @property
    def buyable(self) -> bool:
        return not self.refusal and not self.sold_out

    @property
    def total(self) -> Decimal:
        return quantize(self.price * self.quantity)


@dataclass
class StallGroup:
    shop: Shop
    lines: list[LineView] = field(default_factory=list)

    @property
    def buyable_lines(self) -> list[LineView]:
        return [line for line in self.lines if line.buyable]

    @property
    def subtotal(self) -> Decimal:
        return quantize(sum((line.total for line in self.buyable_lines), ZERO))

    @property
    def shipping(self) -> Decimal:
        return self.shop.shipping_for(self.subtotal) if self.buyable_lines else ZERO

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.shipping

    @property
    def free_shipping_missing(self) -> Decimal | None:
        """How much more would ship free (None when it already does or never will)."""
        over = self.shop.free_shipping_over
        if over is None or self.shipping == 0 or not self.buyable_lines:
            return None
        return quantize(over - self.subtotal)

    @property
    def accepts_direct(self) -> bool:
        return bool(self.shop.payment_instructions.strip())


@dataclass
class CartSummary:
    cart: Cart | None
    groups: list[StallGroup]

    @property
    def lines(self) -> list[LineView]:
        return [line for group in self.groups for line in group.lines]

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def buyable_groups(self) -> list[StallGroup]:
        return [group for group in self.groups if group.buyable_lines]

    @property
    def total(self) -> Decimal:
        return quantize(sum((group.total for group in self.buyable_groups), ZERO))

    @property
    def price_changes(self) -> list[LineView]:
        return [line for line in self.lines if line.buyable and line.price_changed]

    @property
    def short_lines(self) -> list[LineView]:
        return [line for line in self.lines if line.buyable and line.short]

    @property
    def unbuyable(self) -> list[LineView]:
        return [line for line in self.lines if not line.buyable]

    @property
    def can_check_out(self) -> bool:
        return bool(self.buyable_groups) and not self.price_changes and not self.short_lines


def cart_of(*, user=None, token=None) -> Cart | None:
    """A logged-in shopper's stored cart, or the anonymous cart of ``token``."""
    if user is not None:
        return Cart.objects.filter(user=user).first()
    return Cart.objects.filter(token=token, user__isnull=True).first()


def checkout_placed(*, buyer, token) -> CheckoutGroup | None:
    """The checkout ``buyer`` placed with ``token``, if any (a resubmitted form)."""
    return CheckoutGroup.objects.filter(token=token, buyer=buyer).first()


def cart_lines(cart: Cart) -> QuerySet:
    return (
        CartLine.objects.filter(cart=cart)
        .select_related("variant", "variant__product", "variant__product__shop")
        .order_by("added_at", "pk")
    )


def cart_summary(cart: Cart | None) -> CartSummary:
    """The cart grouped by stall (stalls in the order their first line was added)."""
    if cart is None:
        return CartSummary(cart=None, groups=[])
    groups: dict[int, StallGroup] = {}
    for line in cart_lines(cart):
        shop = line.variant.product.shop
        group = groups.setdefault(shop.pk, StallGroup(shop=shop))
        group.lines.append(LineView(line=line, refusal=buy_refusal(line.variant)))
    return CartSummary(cart=cart, groups=list(groups.values()))


def cart_count(cart: Cart | None) -> int:
    if cart is None:
        return 0
    return CartLine.objects.filter(cart=cart).aggregate(n=Sum("quantity"))["n"] or 0


def addresses_of(user) -> QuerySet:
    """The address book, default first, newest next."""
    return Address.objects.filter(user=user).order_by("-is_default", "-created_at", "-pk")


def checkout_orders(group: CheckoutGroup) -> list[Order]:
    """The orders one checkout created, with their stall (one query)."""
    return list(group.orders.select_related("shop").order_by("shop__name", "pk"))
