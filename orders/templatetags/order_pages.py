"""``{% load order_pages %}``: ``{% orders_to_ship shop as count %}`` for the stall dashboard."""

from django import template

from orders.selectors.orders import order_to_ship_count

register = template.Library()


@register.simple_tag
def orders_to_ship(shop) -> int:
    return order_to_ship_count(shop=shop)
