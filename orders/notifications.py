"""Notification kinds of the orders app (registered from ``OrdersConfig.ready``).

All are essential: people must hear about their own orders and money.
"""

from django.utils.translation import gettext_lazy as _

from microstore.notifications.kinds import Category, Kind, register_kind

PLACED = register_kind(
    Kind(key="orders.placed", label=_("A new order"), category=Category.ORDERS, essential=True)
)
CHANGED = register_kind(
    Kind(
        key="orders.changed",
        label=_("A step on one of your orders"),
        category=Category.ORDERS,
        essential=True,
    )
)
