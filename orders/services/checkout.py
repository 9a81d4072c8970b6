"""Placing orders: one checkout over several stalls, one order per stall, all or nothing.

``checkout_place`` is one transaction:

1. the ``CheckoutGroup`` row is inserted first; its token is unique, so a second submission of
   the same form (a double click, a retry, a parallel request) waits on the unique index and
   then returns the first one's orders instead of creating more;
2. the stock of every line is taken in one ``variants_stock_move`` call, which locks rows in a
   fixed order (no deadlocks) and raises ``OutOfStock`` if anything is short: the whole
   checkout rolls back, never some stalls' orders without the others;
3. prices are compared under that lock with what the shopper saw: any change refuses the
   checkout (nothing is silently applied);
4. each stall's order is written with its lines copied (title, variant, SKU, price, provenance),
   its timeline starts, the stall is told, and the bought lines leave the cart.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import StockMovement
from catalog.services import OutOfStock, variants_stock_move
from microstore.errors import DomainError
from microstore.money import quantize
from microstore.notifications import notify
from microstore.sharing.services import referrer_for
from orders.models import (
    Action,
    Address,
    Cart,
    CartLine,
    CheckoutGroup,
    Order,
    OrderLine,
    PaymentMethod,
    Role,
)
from orders.services import lifecycle
from orders.services.cart import buy_refusal
from shops.services import shop_owners

NUMBER_ATTEMPTS = 10


@dataclass(frozen=True)
class StallChoice:
    """What the shopper chose for one stall's order."""

    payment_method: str = PaymentMethod.SANDBOX
    note: str = ""


def pay_by(payment_method: str, now):
    """When an unpaid order is cancelled: soon for online payment, after a few days when the
    buyer pays the seller directly (a bank transfer takes time)."""
    if payment_method == PaymentMethod.DIRECT:
        return now + timedelta(hours=settings.ORDERS_DIRECT_PAYMENT_HOURS)
    return now + timedelta(minutes=settings.ORDERS_PAYMENT_MINUTES)


def new_order_number(now=None) -> str:
    """Date and eight random digits: 25061412345678. Readable over the phone, not guessable
    in sequence; uniqueness is the database's job (``_create_order`` retries)."""
    now = timezone.localtime(now or timezone.now())
    return f"{now:%y%m%d}{secrets.randbelow(10**8):08d}"


def _create_order(**values) -> Order:
    for _attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                return Order.objects.create(number=new_order_number(), **values)
        except IntegrityError:  # that number is taken: draw another
            continue
    raise DomainError(_("Could not number your order; please try again."))


def _claim_token(*, buyer, token: uuid.UUID) -> tuple[CheckoutGroup, bool]:
    """The group of ``token``: (group, True) if this call created it, (existing, False) if a
    submission with the same token came first."""
    existing = CheckoutGroup.objects.filter(token=token).first()
    if existing is None:
        try:
            with transaction.atomic():
                return CheckoutGroup.objects.create(token=token, buyer=buyer), True
        except IntegrityError:  # a parallel submission inserted it and has now committed
            existing = CheckoutGroup.objects.filter(token=token).first()
            if existing is None:
                raise
    if existing.buyer_id != buyer.pk:
        raise DomainError(_("This checkout form is not valid any more; please start again."))
    return existing, False


def _lines_to_buy(cart: Cart) -> list[CartLine]:
    """The lines of the cart that can be bought now. Sold-out goods, goods taken off sale and
    goods of stalls that are closed or on holiday stay in the cart, flagged there; a cart with
    nothing else is refused with the reason (the "sold out" message if anything is)."""
    lines = list(
        CartLine.objects.filter(cart=cart)
        .select_related(
            "variant",
            "variant__product",
            "variant__product__shop",
            "variant__product__category",
            "variant__product__provenance",
        )
        .order_by("pk")
    )
    if not lines:
        raise DomainError(_("Your cart is empty: there is nothing to check out."))
    buyable = [line for line in lines if not buy_refusal(line.variant) and line.variant.stock]
    if buyable:
        return buyable
    sold_out = [line for line in lines if not line.variant.stock]
    if sold_out:
        raise OutOfStock(sold_out[0].variant, sold_out[0].quantity)
    raise DomainError(buy_refusal(lines[0].variant))


@transaction.atomic
def checkout_place(
    *,
    buyer,
    cart: Cart,
    token,
    address: Address,
    choices: dict[int, StallChoice],
    referrer=None,
    share_link=None,
) -> CheckoutGroup:
    """Place one order per stall for the buyable lines of ``cart``, delivered to ``address``.

    ``choices`` maps each stall's id to its ``StallChoice`` (payment method and note).
    ``share_link`` (and its sharer, ``referrer``) is the visitor's attribution: the order of the
    link's stall records the sharer, one level only (``microstore.sharing.services.referrer_for``).
    Idempotent per ``token``: the same token again returns the first call's group.
    """
    try:
        token = uuid.UUID(str(token))
    except (TypeError, ValueError) as exc:
        raise DomainError(_("This checkout form is not valid; please reload the page.")) from exc
    group, created = _claim_token(buyer=buyer, token=token)
    if not created:
        return group
    if address is None or address.user_id != buyer.pk:
        raise DomainError(_("Choose an address from your address book."))
    cart = Cart.objects.select_for_update().get(pk=cart.pk)
    if cart.user_id != buyer.pk:
        raise DomainError(_("This is not your cart."))

    lines = _lines_to_buy(cart)
    by_shop: dict[int, list[CartLine]] = {}
    for line in lines:
        by_shop.setdefault(line.variant.product.shop_id, []).append(line)
    for shop_id, shop_lines in by_shop.items():
        shop = shop_lines[0].variant.product.shop
        choice = choices.get(shop_id)
        if choice is None:
            raise DomainError(_("Choose how to pay “%(shop)s”.") % {"shop": shop.name})
        if choice.payment_method not in PaymentMethod.values:
            raise DomainError(_("Choose how to pay “%(shop)s”.") % {"shop": shop.name})
        if choice.payment_method == PaymentMethod.DIRECT and not shop.payment_instructions.strip():
            raise DomainError(_("“%(shop)s” takes online payment only.") % {"shop": shop.name})

    # Stock of every line in one call: locks in a fixed order, all or nothing.
    moves: dict[int, int] = {}
    for line in lines:
        moves[line.variant_id] = moves.get(line.variant_id, 0) - line.quantity
    locked = variants_stock_move(moves=moves, actor=buyer, reason=StockMovement.Reason.SALE)

    # Under the lock: today's prices and states, compared with what the shopper saw.
    changed = []
    for line in lines:
        variant = locked[line.variant_id]
        variant.product.shop = line.variant.product.shop
        refusal = buy_refusal(variant)
        if refusal:
            raise DomainError(refusal)
        if variant.price != line.price_seen:
            changed.append(
                _("“%(name)s” is now ¥%(now)s (was ¥%(was)s when you added it)")
                % {"name": str(variant), "now": variant.price, "was": line.price_seen}
            )
    if changed:
        raise DomainError(
            _(
                "Prices changed since you added these goods: %(changes)s. "
                "Accept the new prices in your cart first."
            )
            % {"changes": "; ".join(changed)}
        )

    now = timezone.now()
    for shop_id in sorted(by_shop):
        shop_lines = by_shop[shop_id]
        shop = shop_lines[0].variant.product.shop
        choice = choices[shop_id]
        subtotal = quantize(
            sum((locked[line.variant_id].price * line.quantity for line in shop_lines), Decimal(0))
        )
        shipping = quantize(shop.shipping_for(subtotal))
        referred_by = referrer_for(link=share_link, buyer=buyer, shop=shop)
        if referrer is not None and referred_by is not None and referrer.pk != referred_by.pk:
            referred_by = None
        order = _create_order(
            checkout=group,
            buyer=buyer,
            shop=shop,
            payment_method=choice.payment_method,
            recipient=address.recipient,
            mobile=address.mobile,
            province=address.province,
            city=address.city,
            district=address.district,
            street=address.street,
            postcode=address.postcode,
            buyer_note=" ".join(choice.note.split())[:200],
            subtotal=subtotal,
            shipping_fee=shipping,
            total=subtotal + shipping,
            pay_by=pay_by(choice.payment_method, now),
            referrer=referred_by,
            share_link=share_link if referred_by is not None else None,
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                product=line.variant.product,
                variant=line.variant,
                title=locked[line.variant_id].product.title,
                variant_name=locked[line.variant_id].name,
                sku=locked[line.variant_id].sku,
                unit_price=locked[line.variant_id].price,
                quantity=line.quantity,
                line_total=quantize(locked[line.variant_id].price * line.quantity),
                provenance=line.variant.product.completeness,
                returns_excluded=line.variant.product.category.returns_excluded,
            )
            for line in shop_lines
        )
        lifecycle.log_event(order, action=Action.PLACE, role=Role.BUYER, actor=buyer)
        context = {
            "number": order.number,
            "buyer_name": str(buyer.display_name or buyer.email),
            "total": str(order.total),
        }
        for owner in shop_owners(shop):
            notify(
                recipient=owner,
                kind="orders.placed",
                context=context,
                target=lifecycle.SellerLink(order),
                actor=buyer,
            )

    CartLine.objects.filter(pk__in=[line.pk for line in lines]).delete()
    return group
