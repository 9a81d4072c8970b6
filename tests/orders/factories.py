"""Orders built directly in the database, in any state, for tests of what comes after
checkout (pages, payments, returns…). Tests of checkout itself go through the service."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from orders.models import CheckoutGroup, Order, OrderLine, Payment, PaymentMethod, Status
from tests.factories import UserFactory

_numbers = iter(range(10_000_000, 99_999_999))

# Which timestamps an order in each state has.
_REACHED = {
    Status.AWAITING_PAYMENT: (),
    Status.PAID: ("paid_at",),
    Status.SHIPPED: ("paid_at", "shipped_at"),
    Status.RECEIVED: ("paid_at", "shipped_at", "received_at"),
    Status.COMPLETED: ("paid_at", "shipped_at", "received_at", "completed_at"),
    Status.CANCELLED: ("cancelled_at",),
    Status.REFUNDED: ("paid_at", "refunded_at"),
}


def make_order(
    *,
    buyer=None,
    variants=None,
    quantities=None,
    status=Status.PAID,
    payment_method=PaymentMethod.SANDBOX,
    shipping_fee=Decimal("10.00"),
    at=None,
) -> Order:
    """An order of ``variants`` (each ``quantities[i]`` or 1) from their stall, in ``status``,
    with its timestamps and, once paid, a paid ``Payment``. Stock is not touched."""
    assert variants, "make_order needs at least one variant"
    buyer = buyer or UserFactory()
    quantities = quantities or [1] * len(variants)
    at = at or timezone.now()
    shop = variants[0].shop
    subtotal = sum((v.price * q for v, q in zip(variants, quantities, strict=True)), Decimal(0))
    order = Order(
        number=f"{at:%y%m%d}{next(_numbers)}",
        checkout=CheckoutGroup.objects.create(token=uuid.uuid4(), buyer=buyer),
        buyer=buyer,
        shop=shop,
        status=status,
        payment_method=payment_method,
        recipient="林梅",
        mobile="13812345678",
        province="shanghai",
        city="上海市",
        district="徐汇区",
        street="漕溪北路 88 号 3 号楼 1201 室",
        subtotal=subtotal,
        shipping_fee=shipping_fee,
        total=subtotal + shipping_fee,
        pay_by=at + timedelta(minutes=settings.ORDERS_PAYMENT_MINUTES),
    )
    for stamp in _REACHED[Status(status)]:
        setattr(order, stamp, at)
    if order.shipped_at:
        order.carrier, order.tracking_number = "SF Express", "SF1234567890"
        order.auto_receive_at = at + timedelta(days=settings.ORDERS_AUTO_RECEIVE_DAYS)
    if order.received_at:
        order.return_until = at + timedelta(days=settings.ORDERS_RETURN_DAYS)
    order.save()
    if status == Status.REFUNDED:
        Order.objects.filter(pk=order.pk).update(refunded_total=order.total)
        order.refunded_total = order.total
    for variant, quantity in zip(variants, quantities, strict=True):
        product = variant.product
        OrderLine.objects.create(
            order=order,
            product=product,
            variant=variant,
            title=product.title,
            variant_name=variant.name,
            sku=variant.sku,
            unit_price=variant.price,
            quantity=quantity,
            line_total=variant.price * quantity,
            provenance=product.completeness,
            returns_excluded=product.category.returns_excluded,
        )
    if order.paid_at:
        Payment.objects.create(
            order=order,
            provider=payment_method,
            amount=order.total,
            status=Payment.Status.PAID,
            paid_at=at,
        )
    return order
