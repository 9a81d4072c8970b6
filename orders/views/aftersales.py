"""Returns and complaints, both sides.

Steps that need input (ask for a return, send it back, refuse, confirm the goods arrived,
open, answer or escalate a complaint) have a small page of their own, also reached from the
panels on the order pages: GET shows the form, a POST with errors re-renders it with a 400, a
good POST goes back to the order page. One-click steps (accept, withdraw) are POST only and
report a refusal as a message. Someone else's order is a 404 (``orders.access``).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from microstore.errors import DomainError
from microstore.steps import form_step
from orders import access
from orders.forms.aftersales import (
    DisputeAnswerForm,
    DisputeEscalateForm,
    DisputeOpenForm,
    ReturnReceivedForm,
    ReturnRefuseForm,
    ReturnRequestForm,
    ReturnShipForm,
)
from orders.models import Role
from orders.selectors.aftersales import aftersales_for_order
from orders.services import aftersales as services


def _form_step(
    request,
    *,
    order,
    form_class,
    template: str,
    apply,
    done: str,
    back: str,
    context: dict | None = None,
    form_kwargs: dict | None = None,
):
    """``microstore.steps.form_step`` on an order's page (which gets ``order`` and ``back``)."""
    return form_step(
        request,
        form_class=form_class,
        template=template,
        apply=apply,
        done=done,
        back=back,
        context={"order": order, "back": back, **(context or {})},
        form_kwargs=form_kwargs,
    )


def _one_click(request, *, apply, done: str, back: str):
    try:
        apply()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(back)


# --- the buyer's side --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def return_request(request, number):
    """Ask to return some of the order's goods: the page says which can go back and, when
    nothing can, why not (window closed, excluded goods, return already going on)."""
    order = access.get_order_for_buyer(request.user, number)
    aftersales = aftersales_for_order(order)
    if not aftersales["can_request_return"]:
        status = 400 if request.method == "POST" else 200
        return render(
            request,
            "orders/return_request.html",
            {"order": order, "aftersales": aftersales, "form": None},
            status=status,
        )
    lines = aftersales["lines"]
    return _form_step(
        request,
        order=order,
        form_class=ReturnRequestForm,
        form_kwargs={"lines": lines, "returnable": services.returnable_quantities(lines)},
        template="orders/return_request.html",
        context={"aftersales": aftersales},
        apply=lambda form: services.return_request(
            order=order,
            actor=request.user,
            quantities=form.quantities(),
            reason=form.cleaned_data["reason"],
            photos=form.cleaned_data["photos"] or [],
        ),
        done=_("Your return request is with the seller."),
        back=order.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def return_ship(request, number):
    order = access.get_order_for_buyer(request.user, number)
    return _form_step(
        request,
        order=order,
        form_class=ReturnShipForm,
        template="orders/return_form.html",
        context={"title": _("Send the goods back"), "button": _("I have sent them")},
        apply=lambda form: services.return_ship(
            order=order, actor=request.user, **form.cleaned_data
        ),
        done=_("The seller has been told the goods are on their way back."),
        back=order.get_absolute_url(),
    )


@login_required
@require_POST
def return_cancel(request, number):
    order = access.get_order_for_buyer(request.user, number)
    return _one_click(
        request,
        apply=lambda: services.return_cancel(order=order, actor=request.user),
        done=_("Your return is withdrawn."),
        back=order.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def dispute_open(request, number):
    order = access.get_order_for_buyer(request.user, number)
    aftersales = aftersales_for_order(order)
    if not aftersales["can_open_dispute"]:
        status = 400 if request.method == "POST" else 200
        return render(
            request,
            "orders/dispute_open.html",
            {"order": order, "aftersales": aftersales, "form": None},
            status=status,
        )
    return _form_step(
        request,
        order=order,
        form_class=DisputeOpenForm,
        template="orders/dispute_open.html",
        form_kwargs={"initial": {"kind": request.GET.get("kind", "")}},
        context={"aftersales": aftersales, "answer_days": settings.ORDERS_DISPUTE_ANSWER_DAYS},
        apply=lambda form: services.dispute_open(
            order=order, actor=request.user, **form.cleaned_data
        ),
        done=_("Your complaint is open: the seller has been told."),
        back=order.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def dispute_escalate(request, number):
    order = access.get_order_for_buyer(request.user, number)
    return _form_step(
        request,
        order=order,
        form_class=DisputeEscalateForm,
        template="orders/return_form.html",
        context={"title": _("Ask microstore to decide"), "button": _("Ask microstore")},
        apply=lambda form: services.dispute_escalate(
            order=order, actor=request.user, role=Role.BUYER, note=form.cleaned_data["note"]
        ),
        done=_("microstore's moderators will look at your complaint."),
        back=order.get_absolute_url(),
    )


@login_required
@require_POST
def dispute_withdraw(request, number):
    order = access.get_order_for_buyer(request.user, number)
    return _one_click(
        request,
        apply=lambda: services.dispute_withdraw(order=order, actor=request.user),
        done=_("Your complaint is withdrawn."),
        back=order.get_absolute_url(),
    )


# --- the seller's side -------------------------------------------------------------------------


@login_required
@require_POST
def seller_return_accept(request, shop_slug, number):
    order = access.get_order_for_seller(request.user, shop_slug, number)
    return _one_click(
        request,
        apply=lambda: services.return_accept(order=order, actor=request.user),
        done=_("Return accepted: the buyer has been told to send the goods back."),
        back=order.get_seller_url(),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def seller_return_refuse(request, shop_slug, number):
    order = access.get_order_for_seller(request.user, shop_slug, number)
    return _form_step(
        request,
        order=order,
        form_class=ReturnRefuseForm,
        template="orders/return_form.html",
        context={"title": _("Refuse the return"), "button": _("Refuse"), "seller": True},
        apply=lambda form: services.return_refuse(
            order=order, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        done=_("Return refused: the buyer has been told why."),
        back=order.get_seller_url(),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def seller_return_received(request, shop_slug, number):
    order = access.get_order_for_seller(request.user, shop_slug, number)
    return _form_step(
        request,
        order=order,
        form_class=ReturnReceivedForm,
        template="orders/return_form.html",
        context={
            "title": _("The returned goods arrived"),
            "intro": _("Confirming refunds the buyer through the payment they used."),
            "button": _("Confirm and refund"),
            "seller": True,
        },
        apply=lambda form: services.return_receive(
            order=order, actor=request.user, restock=form.cleaned_data["restock"]
        ),
        done=_("The return is complete and the buyer has been refunded."),
        back=order.get_seller_url(),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def seller_dispute_answer(request, shop_slug, number):
    order = access.get_order_for_seller(request.user, shop_slug, number)
    return _form_step(
        request,
        order=order,
        form_class=DisputeAnswerForm,
        template="orders/return_form.html",
        context={"title": _("Answer the complaint"), "button": _("Send"), "seller": True},
        apply=lambda form: services.dispute_answer(
            order=order, actor=request.user, answer=form.cleaned_data["answer"]
        ),
        done=_("Your answer has been sent to the buyer."),
        back=order.get_seller_url(),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def seller_dispute_escalate(request, shop_slug, number):
    order = access.get_order_for_seller(request.user, shop_slug, number)
    return _form_step(
        request,
        order=order,
        form_class=DisputeEscalateForm,
        template="orders/return_form.html",
        context={
            "title": _("Ask microstore to decide"),
            "button": _("Ask microstore"),
            "seller": True,
        },
        apply=lambda form: services.dispute_escalate(
            order=order, actor=request.user, role=Role.SELLER, note=form.cleaned_data["note"]
        ),
        done=_("microstore's moderators will look at the complaint."),
        back=order.get_seller_url(),
    )
