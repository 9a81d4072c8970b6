"""Ownership look-ups for orders. Someone else's order is a 404, exactly like a missing one."""

from django.http import Http404

from orders.models import Address, CheckoutGroup, Order, Payment, PaymentMethod
from shops.access import get_shop_for_member


def get_order_for_buyer(user, number: str) -> Order:
    """The order ``number`` if ``user`` placed it."""
    if not user.is_authenticated:
        raise Http404
    order = Order.objects.select_related("shop").filter(number=number, buyer=user).first()
    if order is None:
        raise Http404
    return order


def get_order_for_seller(user, shop_slug: str, number: str) -> Order:
    """The order ``number`` of the stall at ``shop_slug`` if ``user`` runs that stall."""
    shop = get_shop_for_member(user, shop_slug)
    order = (
        Order.objects.select_related("buyer", "referrer").filter(number=number, shop=shop).first()
    )
    if order is None:
        raise Http404
    order.shop = shop
    return order


def get_address_for_user(user, pk: int) -> Address:
    """An address of ``user``'s own address book."""
    if not user.is_authenticated:
        raise Http404
    address = Address.objects.filter(pk=pk, user=user).first()
    if address is None:
        raise Http404
    return address


def get_checkout_for_buyer(user, token) -> CheckoutGroup:
    """The checkout ``token`` if ``user`` placed it."""
    if not user.is_authenticated:
        raise Http404
    group = CheckoutGroup.objects.filter(token=token, buyer=user).first()
    if group is None:
        raise Http404
    return group


def get_payment_for_buyer(user, reference) -> Payment:
    """The sandbox payment ``reference`` (with its order and stall) if ``user`` placed the order."""
    if not user.is_authenticated:
        raise Http404
    payment = (
        Payment.objects.select_related("order__shop")
        .filter(reference=reference, provider=PaymentMethod.SANDBOX, order__buyer=user)
        .first()
    )
    if payment is None:
        raise Http404
    return payment
