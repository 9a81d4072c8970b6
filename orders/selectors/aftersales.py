"""Reads for returns and complaints: the panels on both order pages, and stall counts."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from orders.models import Dispute, Order, ReturnLine, ReturnPhoto, ReturnRequest, Role
from orders.services.aftersales import (
    can_escalate,
    dispute_blocker,
    excluded_message,
    return_blocker,
    returnable_quantities,
)


def aftersales_for_order(order: Order, *, lines: list | None = None) -> dict:
    """Everything the buyer's and the seller's after-sales panels show, read at once (five
    queries at most, whatever the number of lines, returned items or photos).

    ``lines``: the order's lines if the page has read them already (saves a query).

    Pass it to the order pages as ``aftersales``; ``_aftersales_panel.html`` (buyer) and
    ``_seller_aftersales_panel.html`` (seller) read only these keys and ``order``'s own
    columns (and ``order.shop``, which the access look-ups load):

    - ``lines``: the order's lines (a list, in order);
    - ``return``: the order's latest ``ReturnRequest`` or None, with ``lines`` (each with its
      ``order_line``) and ``photos`` (each with its ``image``) prefetched;
    - ``return_active``: whether that return is still going on;
    - ``can_request_return``: the buyer may ask for a return now;
    - ``return_blocked``: why not ("" when they may, or when a return is going on);
    - ``excluded_lines``: order lines excluded from no-reason returns (fresh food, custom-made);
    - ``excluded_message``: what the page says about them;
    - ``dispute``: the order's latest ``Dispute`` or None;
    - ``dispute_active``: whether it is still going on;
    - ``can_open_dispute``: the buyer may open a complaint now;
    - ``buyer_can_escalate`` / ``seller_can_escalate``: who may ask microstore to decide now;
    - ``seller_can_answer``: the seller has not answered the active complaint yet.
    """
    lines = list(order.lines.all()) if lines is None else lines
    ret = (
        ReturnRequest.objects.filter(order=order)
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ReturnLine.objects.select_related("order_line").order_by("order_line_id"),
            ),
            Prefetch("photos", queryset=ReturnPhoto.objects.select_related("image")),
        )
        .order_by("-pk")
        .first()
    )
    dispute = Dispute.objects.filter(order=order).order_by("-pk").first()
    return_active = bool(ret and ret.is_active)
    blocked = "" if return_active else return_blocker(order)
    returnable = returnable_quantities(lines)
    excluded = [line for line in lines if line.returns_excluded]
    if not blocked and not return_active and not returnable:
        blocked = (
            excluded_message() if excluded else _("Everything in this order has been returned.")
        )
    dispute_active = bool(dispute and dispute.is_active)
    return {
        "lines": lines,
        "return": ret,
        "return_active": return_active,
        "can_request_return": not return_active and not blocked and bool(returnable),
        "return_blocked": blocked,
        "excluded_lines": excluded,
        "excluded_message": excluded_message(),
        "dispute": dispute,
        "dispute_active": dispute_active,
        "can_open_dispute": not dispute_active and not dispute_blocker(order),
        "buyer_can_escalate": can_escalate(dispute, Role.BUYER),
        "seller_can_escalate": can_escalate(dispute, Role.SELLER),
        "seller_can_answer": dispute_active and not dispute.seller_answer,
    }
