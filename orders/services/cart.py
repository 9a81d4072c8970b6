"""Writes to the cart and the address book.

A cart belongs to a logged-in shopper (``Cart.user``) or to an anonymous visitor whose session
holds its token (``SESSION_KEY``). Logging in merges the anonymous cart into the stored one
(``cart_merge``, called from the allauth adapter). Prices are never applied silently: a line
keeps the price the shopper saw when adding it until they accept the new one.
"""

import uuid

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from catalog.models import Status as ProductStatus
from catalog.models import Variant
from microstore.errors import DomainError
from orders.models import Address, Cart, CartLine
from shops.models import Status as ShopStatus

SESSION_KEY = "orders_cart_token"
# The header's count, kept in the session by every cart change: no query on ordinary pages.
SESSION_COUNT_KEY = "orders_cart_count"
MAX_LINE_QUANTITY = 99
MAX_CART_LINES = 100

ADDRESS_FIELDS = ("recipient", "mobile", "province", "city", "district", "street", "postcode")


# --- the cart ----------------------------------------------------------------------------------


def cart_get_or_create(*, user=None, token: uuid.UUID | None = None) -> Cart:
    """The stored cart of ``user``, or the anonymous cart of ``token`` (a new one if the token
    is unknown or taken by a logged-in shopper's cart)."""
    if user is not None and user.is_authenticated:
        cart = Cart.objects.filter(user=user).first()
        if cart is not None:
            return cart
        try:
            with transaction.atomic():
                return Cart.objects.create(user=user)
        except IntegrityError:  # a parallel request created it first
            return Cart.objects.get(user=user)
    if token is not None:
        cart = Cart.objects.filter(token=token, user__isnull=True).first()
        if cart is not None:
            return cart
    return Cart.objects.create()


def _lock_cart(cart: Cart) -> Cart:
    return Cart.objects.select_for_update().get(pk=cart.pk)


def buy_refusal(variant: Variant) -> str:
    """Why ``variant`` cannot be bought now ("" if it can): product not published, stall
    closed, suspended or on holiday."""
    product, shop = variant.product, variant.product.shop
    if shop.status == ShopStatus.PAUSED:
        return _("“%(shop)s” is on holiday: nothing can be bought there until it opens again.") % {
            "shop": shop.name
        }
    if shop.status != ShopStatus.OPEN:
        return _("“%(shop)s” is not selling any more.") % {"shop": shop.name}
    if product.status != ProductStatus.PUBLISHED:
        return _("“%(title)s” is no longer on sale.") % {"title": product.title}
    return ""


def _too_many(variant: Variant, quantity: int, in_cart: int = 0) -> str:
    if quantity > MAX_LINE_QUANTITY:
        return _("At most %(max)s of one item per order.") % {"max": MAX_LINE_QUANTITY}
    if variant.stock == 0:
        return _("“%(name)s” is sold out.") % {"name": str(variant)}
    if quantity > variant.stock:
        if in_cart:
            return _(
                "Only %(stock)s of “%(name)s” left, and %(in_cart)s are already in your cart."
            ) % {"stock": variant.stock, "name": str(variant), "in_cart": in_cart}
        return _("Only %(stock)s of “%(name)s” left.") % {
            "stock": variant.stock,
            "name": str(variant),
        }
    return ""


def _variant_for_cart(variant_id: int) -> Variant:
    variant = (
        Variant.objects.select_related("product", "product__shop").filter(pk=variant_id).first()
    )
    if variant is None:
        raise DomainError(_("This item does not exist (any more)."))
    return variant


@transaction.atomic
def cart_add(*, cart: Cart, variant_id: int, quantity: int) -> CartLine:
    """Put ``quantity`` of a variant in the cart (adding to a line already there). Only
    published goods of open stalls; never more than the stock or ``MAX_LINE_QUANTITY``."""
    if quantity < 1:
        raise DomainError(_("Choose at least one."))
    cart = _lock_cart(cart)
    variant = _variant_for_cart(variant_id)
    refusal = buy_refusal(variant)
    if refusal:
        raise DomainError(refusal)
    line = CartLine.objects.filter(cart=cart, variant=variant).first()
    in_cart = line.quantity if line else 0
    problem = _too_many(variant, in_cart + quantity, in_cart)
    if problem:
        raise DomainError(problem)
    if line is None:
        if CartLine.objects.filter(cart=cart).count() >= MAX_CART_LINES:
            raise DomainError(
                _("A cart holds at most %(max)s different items.") % {"max": MAX_CART_LINES}
            )
        line = CartLine.objects.create(
            cart=cart, variant=variant, quantity=quantity, price_seen=variant.price
        )
    else:
        # The price seen stays: a change since is shown on the cart page, not applied here.
        line.quantity = in_cart + quantity
        line.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])
    return line


@transaction.atomic
def cart_set_quantity(*, cart: Cart, variant_id: int, quantity: int) -> CartLine | None:
    """Change a line's quantity; 0 removes it. Returns the line (None once removed)."""
    cart = _lock_cart(cart)
    line = CartLine.objects.filter(cart=cart, variant_id=variant_id).first()
    if line is None:
        raise DomainError(_("This item is not in your cart any more."))
    if quantity <= 0:
        line.delete()
        return None
    if quantity > line.quantity:  # lowering is always allowed, even below a stock problem
        variant = _variant_for_cart(variant_id)
        problem = _too_many(variant, quantity)
        if problem:
            raise DomainError(problem)
    elif quantity > MAX_LINE_QUANTITY:
        raise DomainError(_("At most %(max)s of one item per order.") % {"max": MAX_LINE_QUANTITY})
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def cart_remove(*, cart: Cart, variant_id: int) -> None:
    """Take a line out of the cart (already gone is fine: a double click)."""
    CartLine.objects.filter(cart=_lock_cart(cart), variant_id=variant_id).delete()


@transaction.atomic
def cart_accept_changes(*, cart: Cart) -> int:
    """The shopper has seen the new prices and accepts them: each line's ``price_seen``
    becomes today's price. Returns how many lines changed."""
    cart = _lock_cart(cart)
    changed = []
    for line in CartLine.objects.filter(cart=cart).select_related("variant"):
        if line.price_seen != line.variant.price:
            line.price_seen = line.variant.price
            changed.append(line)
    CartLine.objects.bulk_update(changed, ["price_seen"])
    return len(changed)


@transaction.atomic
def cart_merge(*, token, user) -> Cart | None:
    """On log-in: move the anonymous cart of ``token`` into ``user``'s stored cart.

    Quantities of the same item add up, capped by the stock and ``MAX_LINE_QUANTITY`` (never
    below one: a sold-out line stays, flagged). The price the shopper saw first is kept, so a
    change since is still shown. The anonymous cart is deleted. Returns the stored cart, or
    None when there was nothing to merge.
    """
    try:
        token = uuid.UUID(str(token))
    except (TypeError, ValueError):
        return None
    anonymous = Cart.objects.select_for_update().filter(token=token, user__isnull=True).first()
    if anonymous is None:
        return None
    lines = list(anonymous.lines.select_related("variant"))
    if not lines:
        anonymous.delete()
        return None
    cart = _lock_cart(cart_get_or_create(user=user))
    stored = {line.variant_id: line for line in CartLine.objects.filter(cart=cart)}
    for line in lines:
        mine = stored.get(line.variant_id)
        if mine is None:
            if len(stored) >= MAX_CART_LINES:
                continue
            line.pk = None
            line.cart = cart
            line._state.adding = True
            line.save()
            stored[line.variant_id] = line
            continue
        wanted = mine.quantity + line.quantity
        mine.quantity = max(1, min(wanted, MAX_LINE_QUANTITY, line.variant.stock))
        mine.save(update_fields=["quantity"])
    anonymous.delete()
    return cart


# --- the address book --------------------------------------------------------------------------


def _clean_address(fields: dict) -> dict:
    unknown = set(fields) - set(ADDRESS_FIELDS)
    if unknown:
        raise TypeError(f"unknown address fields: {sorted(unknown)}")
    return {name: " ".join(str(value).split()) for name, value in fields.items()}


@transaction.atomic
def address_create(*, user, fields: dict, make_default: bool = False) -> Address:
    """Add an address to ``user``'s book. The first one becomes the default."""
    address = Address(user=user, **_clean_address(fields))
    address.full_clean(exclude=["user", "is_default"])
    address.save()
    first = not Address.objects.filter(user=user).exclude(pk=address.pk).exists()
    if make_default or first:
        address = address_set_default(user=user, address=address)
    return address


@transaction.atomic
def address_update(*, address: Address, fields: dict, make_default: bool = False) -> Address:
    address = Address.objects.select_for_update().get(pk=address.pk)
    for name, value in _clean_address(fields).items():
        setattr(address, name, value)
    address.full_clean(exclude=["user", "is_default"])
    address.save(update_fields=list(fields))
    if make_default:
        address = address_set_default(user=address.user, address=address)
    return address


def _lock_book(user) -> list[Address]:
    return list(Address.objects.select_for_update().filter(user=user).order_by("pk"))


@transaction.atomic
def address_set_default(*, user, address: Address) -> Address:
    """Make ``address`` the default. The whole book is locked (in primary-key order), so two
    parallel changes queue up and the one-default constraint always holds."""
    book = {a.pk: a for a in _lock_book(user)}
    if address.pk not in book:
        raise DomainError(_("This address is not in your address book."))
    target = book[address.pk]
    if target.is_default:
        return target
    Address.objects.filter(user=user, is_default=True).update(is_default=False)
    Address.objects.filter(pk=target.pk).update(is_default=True)
    target.is_default = True
    return target


@transaction.atomic
def address_delete(*, user, address: Address) -> None:
    """Remove an address; if it was the default, the newest remaining one takes over. Orders
    keep their own copy, so nothing placed changes."""
    book = _lock_book(user)
    target = next((a for a in book if a.pk == address.pk), None)
    if target is None:
        return
    target.delete()
    if target.is_default:
        rest = sorted((a for a in book if a.pk != target.pk), key=lambda a: a.created_at)
        if rest:
            Address.objects.filter(pk=rest[-1].pk).update(is_default=True)
