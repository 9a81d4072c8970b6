"""Orders: carts, addresses, orders with their lines and timeline, payments, returns, disputes.

One module per part, re-exported here: ``from orders.models import Order``.
"""

from orders.models.aftersales import Dispute, ReturnLine, ReturnPhoto, ReturnRequest
from orders.models.cart import Address, Cart, CartLine
from orders.models.order import (
    Action,
    CheckoutGroup,
    Order,
    OrderEvent,
    OrderLine,
    PaymentMethod,
    Role,
    Status,
)
from orders.models.payment import GatewayEvent, Payment, Refund, SandboxCharge

__all__ = [
    "Action",
    "Address",
    "Cart",
    "CartLine",
    "CheckoutGroup",
    "Dispute",
    "GatewayEvent",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Payment",
    "PaymentMethod",
    "Refund",
    "ReturnLine",
    "ReturnPhoto",
    "ReturnRequest",
    "Role",
    "SandboxCharge",
    "Status",
]
