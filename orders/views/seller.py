"""The stall's orders: the list with its tabs, one order with the steps the stall may take
now, the packing slip and the CSV export. Everything goes through ``orders.access`` (another
stall's order is a 404) and ``orders.services`` (which refuse illegal steps)."""

import csv
from itertools import chain

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from microstore.accounts.access import verified_email_required
from microstore.errors import DomainError
from orders import access
from orders.forms.seller import ExportForm, ReasonForm, SellerFilterForm, ShipForm
from orders.models import Action, PaymentMethod, Role, Status
from orders.selectors import orders as selectors
from orders.selectors.aftersales import aftersales_for_order
from orders.services import lifecycle, payments
from shops.access import get_shop_for_member

PER_PAGE = 20


def _list_context(request, shop, *, export_form=None) -> tuple[dict, bool]:
    form = SellerFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    filters = form.cleaned_data if request.GET and valid else {}
    tab = filters.get("tab") or "all"
    query = filters.get("q", "")
    orders = selectors.order_list_for_seller(shop=shop, tab=tab, query=query)
    page = Paginator(orders, PER_PAGE).get_page(request.GET.get("page"))
    counts = selectors.order_counts_for_seller(shop=shop)
    tabs = [
        {"key": key, "label": label, "count": counts[key], "current": key == tab}
        for key, (label, _q) in selectors.SELLER_TABS.items()
    ]
    page_query = request.GET.copy()
    page_query.pop("page", None)
    for key in ("start", "end"):
        page_query.pop(key, None)
    context = {
        "shop": shop,
        "form": form,
        "tab": tab,
        "query": query,
        "tabs": tabs,
        "page": page,
        "page_query": page_query.urlencode(),
        "export_form": export_form or ExportForm(initial=ExportForm.defaults()),
    }
    return context, valid


@verified_email_required
@require_GET
def order_list(request, shop_slug):
    """The stall's orders by tab (to confirm payment, to ship, shipped, returns, complaints,
    all) with a count on each, searchable by order number."""
    shop = get_shop_for_member(request.user, shop_slug)
    context, valid = _list_context(request, shop)
    return render(request, "orders/seller_order_list.html", context, status=200 if valid else 400)


# --- one order --------------------------------------------------------------------------------


def _render_detail(request, order, *, status=200, **forms):
    aftersales = aftersales_for_order(order)
    context = {
        "order": order,
        "shop": order.shop,
        "can_confirm_payment": order.payment_method == PaymentMethod.DIRECT
        and order.can(Action.CONFIRM_PAYMENT, Role.SELLER),
        "can_ship": order.can(Action.SHIP, Role.SELLER),
        "can_cancel": order.can(Action.CANCEL, Role.SELLER),
        "can_refund": order.status == Status.PAID,
        "ship_form": forms.get("ship_form") or ShipForm(),
        "cancel_form": forms.get("cancel_form") or ReasonForm(prefix="cancel"),
        "refund_form": forms.get("refund_form") or ReasonForm(prefix="refund"),
        "aftersales": aftersales,
        **selectors.order_page(order=order, lines=aftersales["lines"]),
    }
    return render(request, "orders/seller_order_detail.html", context, status=status)


@verified_email_required
@require_GET
def order_detail(request, shop_slug, number):
    order = access.get_order_for_seller(request.user, shop_slug, number)
    return _render_detail(request, order)


def _step(request, order, take, done: str, *, form=None, form_name: str = ""):
    """Run ``take`` if ``form`` (if any) is valid; success → back to the order, refusal →
    the order page again with the reason, answering 400."""
    if form is not None and not form.is_valid():
        return _render_detail(request, order, status=400, **{form_name: form})
    try:
        take(form.cleaned_data if form is not None else None)
    except DomainError as exc:
        if form is not None:
            form.add_error(None, exc.message)
        messages.error(request, exc.message)
        order.refresh_from_db()
        return _render_detail(request, order, status=400, **({form_name: form} if form else {}))
    messages.success(request, done)
    return redirect(order.get_seller_url())


@verified_email_required
@require_POST
def order_confirm_payment(request, shop_slug, number):
    """ "Pay the seller directly": the money arrived."""
    order = access.get_order_for_seller(request.user, shop_slug, number)
    return _step(
        request,
        order,
        lambda _data: payments.payment_confirm_direct(order=order, actor=request.user),
        _("Payment confirmed: the order is ready to ship."),
    )


@verified_email_required
@require_POST
def order_ship(request, shop_slug, number):
    order = access.get_order_for_seller(request.user, shop_slug, number)
    return _step(
        request,
        order,
        lambda data: lifecycle.order_ship(
            order=order,
            actor=request.user,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
        ),
        _("Marked as shipped: the buyer can follow the parcel now."),
        form=ShipForm(request.POST),
        form_name="ship_form",
    )


@verified_email_required
@require_POST
def order_cancel(request, shop_slug, number):
    """Cancel an unpaid order, with a reason the buyer reads."""
    order = access.get_order_for_seller(request.user, shop_slug, number)
    return _step(
        request,
        order,
        lambda data: lifecycle.order_cancel(
            order=order, role=Role.SELLER, actor=request.user, reason=data["reason"]
        ),
        _("The order is cancelled and its goods are back in stock."),
        form=ReasonForm(request.POST, prefix="cancel"),
        form_name="cancel_form",
    )


@verified_email_required
@require_POST
def order_refund(request, shop_slug, number):
    """A paid order the stall cannot send: everything back to the buyer."""
    order = access.get_order_for_seller(request.user, shop_slug, number)
    return _step(
        request,
        order,
        lambda data: lifecycle.order_seller_refund(
            order=order, actor=request.user, reason=data["reason"]
        ),
        _("Refunded in full; the goods are back in stock."),
        form=ReasonForm(request.POST, prefix="refund"),
        form_name="refund_form",
    )


@verified_email_required
@require_GET
def packing_slip(request, shop_slug, number):
    """A printable page to put in the parcel: who it goes to and what is in it."""
    order = access.get_order_for_seller(request.user, shop_slug, number)
    context = {"order": order, "shop": order.shop, "lines": list(order.lines.all())}
    return render(request, "orders/packing_slip.html", context)


# --- the CSV export ---------------------------------------------------------------------------

CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """The cell as text; one a spreadsheet would run as a formula gets a leading quote."""
    text = "" if value is None else str(value)
    if text.startswith(CSV_FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def _csv_header() -> list[str]:
    return [
        _("Order number"),
        _("Placed"),
        _("Status"),
        _("Buyer"),
        _("Recipient"),
        _("Province"),
        _("City"),
        _("District"),
        _("Street address"),
        _("Mobile number"),
        _("Title"),
        _("Variant"),
        _("SKU"),
        _("Unit price"),
        _("Quantity"),
        _("Line total"),
        _("Shipping"),
        _("Order total"),
        _("Refunded"),
        _("Carrier"),
        _("Tracking number"),
    ]


def _csv_row(line) -> list:
    order = line.order
    return [
        order.number,
        timezone.localtime(order.placed_at).strftime("%Y-%m-%d %H:%M"),
        order.get_status_display(),
        order.buyer.display_name,
        order.recipient,
        order.get_province_display(),
        order.city,
        order.district,
        order.street,
        order.mobile,
        line.title,
        line.variant_name,
        line.sku,
        line.unit_price,
        line.quantity,
        line.line_total,
        order.shipping_fee,
        order.total,
        order.refunded_total,
        order.carrier,
        order.tracking_number,
    ]


@verified_email_required
@require_GET
def order_export(request, shop_slug):
    """Orders placed in a date range as CSV, one row per line, streamed. UTF-8 with a byte
    order mark, so Excel reads Chinese; cells that would run as formulas are quoted."""
    shop = get_shop_for_member(request.user, shop_slug)
    data = request.GET if ("start" in request.GET or "end" in request.GET) else None
    form = ExportForm(data or ExportForm.defaults())
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        if not form.non_field_errors():
            messages.error(request, _("Give both days as dates, like 2025-01-31."))
        context, _valid = _list_context(request, shop, export_form=form)
        return render(request, "orders/seller_order_list.html", context, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    lines = selectors.order_lines_for_export(shop=shop, start=start, end=end)
    writer = csv.writer(_Echo())
    rows = chain([_csv_header()], (_csv_row(line) for line in lines.iterator(chunk_size=500)))
    body = chain(["\ufeff"], (writer.writerow([csv_safe(v) for v in row]) for row in rows))
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = f"orders-{shop.slug}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
