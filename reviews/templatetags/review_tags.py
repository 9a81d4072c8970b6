"""``{% order_reviews order lines %}``: the "review what you bought" panel of a buyer's order
page (one query, and only once the order is received)."""

from django import template

from reviews import selectors, services
from shops.selectors import shop_is_member

register = template.Library()


@register.inclusion_tag("reviews/_order_reviews.html", takes_context=True)
def order_reviews(context, order, lines):
    if order.status not in services.REVIEWABLE_STATUSES:
        return {"rows": []}
    user = context["request"].user
    by_line = selectors.reviews_for_lines(lines=lines)
    is_member = shop_is_member(shop=order.shop, user=user)
    rows = []
    for line in lines:
        line.order = order
        review = by_line.get(line.pk)
        blocker = (
            "" if review else services.review_blocker(line=line, user=user, is_member=is_member)
        )
        rows.append({"line": line, "review": review, "blocker": blocker})
    return {"rows": rows, "order": order}
