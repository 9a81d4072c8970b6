"""Demo orders for `make run`, made through the real services: 小美 has bought from three
stalls, so every page of the orders app has something to show.

- a completed order (paid online in the sandbox, shipped, received, return window over);
- a parcel on its way (paid directly to the seller, who confirmed the money);
- a received order with a return waiting for the seller's decision;
- a complaint ("not received") escalated to the moderators, waiting for a ruling;
- one checkout over two stalls: one order waiting for the seller to confirm a direct payment,
  one paid and waiting to be shipped;
- a cart with two lines from two stalls.

Idempotent: nothing happens once 小美 has orders. The older orders are moved back in time
(their timestamps and timeline) so the dates read naturally.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from catalog.models import Product, Variant
from microstore.accounts.models import User
from orders.models import Order, OrderEvent, PaymentMethod, Role
from orders.payments import sandbox
from orders.services import aftersales, cart, checkout, lifecycle, payments
from shops.selectors import shop_owned_by
from shops.services import shop_update

BUYER = "xiaomei@example.com"
# Stall owner → shipping fee, free-shipping threshold, how to pay directly.
STALL_TERMS = {
    "laogao@example.com": (
        "8.00",
        "199.00",
        "招商银行 6225 8801 2345 6789 (高建国) 备注订单号。",
    ),
    "qinling@example.com": ("12.00", "150.00", "微信转账: qinling-honey, 备注订单号。"),
    "jingdezhen@example.com": ("15.00", None, ""),
}
TIMESTAMPS = (
    "placed_at",
    "pay_by",
    "paid_at",
    "shipped_at",
    "auto_receive_at",
    "received_at",
    "return_until",
)


def _age(order: Order, days: int) -> None:
    """Move an order and its timeline ``days`` back in time."""
    delta = timedelta(days=days)
    order.refresh_from_db()
    Order.objects.filter(pk=order.pk).update(
        **{field: F(field) - delta for field in TIMESTAMPS if getattr(order, field) is not None}
    )
    OrderEvent.objects.filter(order=order).update(created_at=F("created_at") - delta)
    order.refresh_from_db()


def _variant(owner: User, index: int = 0) -> Variant | None:
    shop = shop_owned_by(owner)
    product = (
        Product.objects.published()
        .filter(shop=shop)
        .order_by("created_at", "pk")[index : index + 1]
    )
    return Variant.objects.filter(product__in=product, stock__gte=5).order_by("pk").first()


def _place(buyer, address, items, methods, share_link=None) -> list[Order]:
    """One checkout of ``items`` (variant, quantity); ``methods`` by stall id; ``share_link``
    as if the buyer had opened it (its sharer becomes the referrer)."""
    basket = cart.cart_get_or_create(user=buyer)
    for variant, quantity in items:
        cart.cart_add(cart=basket, variant_id=variant.pk, quantity=quantity)
    group = checkout.checkout_place(
        buyer=buyer,
        cart=basket,
        token=uuid.uuid4(),
        address=address,
        choices={
            shop_id: checkout.StallChoice(payment_method=method)
            for shop_id, method in methods.items()
        },
        share_link=share_link,
        referrer=share_link.user if share_link else None,
    )
    return list(group.orders.select_related("shop").order_by("pk"))


def _pay_online(order: Order, buyer) -> Order:
    """Through the sandbox gateway, as its "Pay" button would: a signed callback."""
    payments.payment_start(order=order, actor=buyer)
    payment = order.payments.get()
    body = sandbox.gateway_callback_body(payment=payment, succeeded=True).encode()
    payments.payment_callback_handle(
        provider=PaymentMethod.SANDBOX,
        body=body,
        headers={sandbox.SIGNATURE_HEADER: sandbox.sign(body)},
    )
    order.refresh_from_db()
    return order


def _ship(order: Order, carrier: str, number: str) -> Order:
    return lifecycle.order_ship(
        order=order, actor=order.shop.members.get().user, carrier=carrier, tracking_number=number
    )


@transaction.atomic
def seed_orders() -> int:
    """Create the demo orders; return how many were created now."""
    buyer = User.objects.filter(email=BUYER).first()
    owners = {email: User.objects.filter(email=email).first() for email in STALL_TERMS}
    if buyer is None or buyer.orders.exists() or not all(owners.values()):
        return 0
    for email, (fee, free_over, how_to_pay) in STALL_TERMS.items():
        shop = shop_owned_by(owners[email])
        shop_update(
            shop=shop,
            actor=owners[email],
            shipping_fee=Decimal(fee),
            free_shipping_over=Decimal(free_over) if free_over else None,
            payment_instructions=how_to_pay,
        )
    tea, tea2 = _variant(owners["laogao@example.com"]), _variant(owners["laogao@example.com"], 1)
    honey = _variant(owners["qinling@example.com"])
    cup = _variant(owners["jingdezhen@example.com"])
    if not all((tea, tea2, honey, cup)):
        return 0
    address = cart.address_create(
        user=buyer,
        fields={
            "recipient": "林小美",
            "mobile": "13812345678",
            "province": "shanghai",
            "city": "上海市",
            "district": "徐汇区",
            "street": "漕溪北路 88 号 3 号楼 1201 室",
            "postcode": "200030",
        },
        make_default=True,
    )
    sandbox_only = PaymentMethod.SANDBOX
    orders = []

    # Completed: paid online, shipped, received; the 7-day window closed two weeks ago.
    (done,) = _place(buyer, address, [(tea, 2)], {tea.shop_id: sandbox_only})
    _ship(_pay_online(done, buyer), "顺丰速运 SF Express", "SF1402938475610")
    lifecycle.order_confirm_receipt(order=done, role=Role.BUYER, actor=buyer)
    _age(done, 21)
    lifecycle.order_complete(order=done)
    orders.append(done)

    # On its way: paid directly, the seller confirmed the money and shipped.
    (honey_order,) = _place(buyer, address, [(honey, 1)], {honey.shop_id: PaymentMethod.DIRECT})
    payments.payment_confirm_direct(order=honey_order, actor=owners["qinling@example.com"])
    _ship(honey_order, "中通快递 ZTO", "ZTO7730019283746")
    _age(honey_order, 3)
    orders.append(honey_order)

    # Received two days ago; 小美 asks to return it, the seller has not decided yet.
    (cup_order,) = _place(buyer, address, [(cup, 1)], {cup.shop_id: sandbox_only})
    _ship(_pay_online(cup_order, buyer), "EMS", "EMS1185502934CN")
    lifecycle.order_confirm_receipt(order=cup_order, role=Role.BUYER, actor=buyer)
    _age(cup_order, 2)
    aftersales.return_request(
        order=cup_order,
        actor=buyer,
        quantities={cup_order.lines.get().pk: 1},
        reason="釉色比照片深很多。The glaze is much darker than in the photos.",
    )
    orders.append(cup_order)

    # Shipped a week ago, never arrived: complaint answered, then escalated to microstore.
    (lost,) = _place(buyer, address, [(tea2, 1)], {tea2.shop_id: sandbox_only})
    _ship(_pay_online(lost, buyer), "韵达快递 Yunda", "YD4300918827364")
    _age(lost, 7)
    aftersales.dispute_open(
        order=lost,
        actor=buyer,
        kind="not_received",
        statement=(
            "快递显示已签收 但我没有收到 驿站也没有。Tracking says delivered; nothing came."
        ),
    )
    aftersales.dispute_answer(
        order=lost,
        actor=owners["laogao@example.com"],
        answer="快递员说放在了小区快递柜。The courier says it went into the building's locker.",
    )
    aftersales.dispute_escalate(
        order=lost, actor=buyer, role=Role.BUYER, note="快递柜里也没有。The locker was empty."
    )
    orders.append(lost)

    # Today, one checkout over two stalls: 老高 waits for a direct payment, 秦岭 is paid.
    pair = _place(
        buyer,
        address,
        [(tea, 1), (honey, 2)],
        {tea.shop_id: PaymentMethod.DIRECT, honey.shop_id: sandbox_only},
    )
    for order in pair:
        if order.payment_method == sandbox_only:
            _pay_online(order, buyer)
    orders.extend(pair)

    # Still in the cart.
    basket = cart.cart_get_or_create(user=buyer)
    cart.cart_add(cart=basket, variant_id=tea2.pk, quantity=1)
    cart.cart_add(cart=basket, variant_id=cup.pk, quantity=2)
    return len(orders)
