"""The buyer's orders: "My orders", one order with its timeline, and the buyer's own steps
(cancel an unpaid order, confirm receipt). A refused step re-renders the order page with
the reason and answers 400."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from microstore.errors import DomainError
from orders import access
from orders.models import Action, Role
from orders.selectors import orders as selectors
from orders.selectors.aftersales import aftersales_for_order
from orders.services import lifecycle

PER_PAGE = 20


@login_required
@require_GET
def order_list(request):
    """ "My orders": newest first, by tab (all, to pay, to receive, returns, done)."""
    tab = request.GET.get("tab") or "all"
    if tab not in selectors.BUYER_TABS:
        tab = "all"
    orders = selectors.order_list_for_buyer(user=request.user, tab=tab)
    page = Paginator(orders, PER_PAGE).get_page(request.GET.get("page"))
    counts = selectors.order_counts_for_buyer(user=request.user)
    tabs = [
        {"key": key, "label": label, "count": counts[key], "current": key == tab}
        for key, (label, _q) in selectors.BUYER_TABS.items()
    ]
    context = {"page": page, "tabs": tabs, "tab": tab, "page_query": f"tab={tab}"}
    return render(request, "orders/order_list.html", context)


def _render_detail(request, order, *, status=200):
    aftersales = aftersales_for_order(order)
    context = {
        "order": order,
        "shop": order.shop,
        "can_cancel": order.can(Action.CANCEL, Role.BUYER),
        "can_confirm_receipt": order.can(Action.CONFIRM_RECEIPT, Role.BUYER),
        "aftersales": aftersales,
        **selectors.order_page(order=order, lines=aftersales["lines"]),
    }
    return render(request, "orders/order_detail.html", context, status=status)


@login_required
@require_GET
def order_detail(request, number):
    order = access.get_order_for_buyer(request.user, number)
    return _render_detail(request, order)


def _step(request, number, take, done: str):
    order = access.get_order_for_buyer(request.user, number)
    try:
        take(order)
    except DomainError as exc:
        messages.error(request, exc.message)
        order.refresh_from_db()
        return _render_detail(request, order, status=400)
    messages.success(request, done)
    return redirect(order.get_absolute_url())


@login_required
@require_POST
def order_cancel(request, number):
    """Cancel an order that is not paid yet; its goods go back on the shelf."""
    return _step(
        request,
        number,
        lambda order: lifecycle.order_cancel(order=order, role=Role.BUYER, actor=request.user),
        _("Your order is cancelled."),
    )


@login_required
@require_POST
def order_confirm_receipt(request, number):
    """The parcel arrived: the 7-day return window starts now."""
    return _step(
        request,
        number,
        lambda order: lifecycle.order_confirm_receipt(
            order=order, role=Role.BUYER, actor=request.user
        ),
        _("Thank you: receipt confirmed. You may still ask to return it within %(days)s days.")
        % {"days": settings.ORDERS_RETURN_DAYS},
    )
