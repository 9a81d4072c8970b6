"""Paying: the buyer's "Pay now", the sandbox gateway's hosted page, its callback and the page
the gateway sends the buyer back to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microstore.errors import DomainError
from orders.access import get_order_for_buyer, get_payment_for_buyer
from orders.forms.payments import SandboxDecisionForm
from orders.models import PaymentMethod
from orders.payments import sandbox
from orders.services import payments as services


@login_required
@require_POST
def order_pay(request, number):
    """ "Pay now": off to the provider's hosted page, or back to the order with how to pay."""
    order = get_order_for_buyer(request.user, number)
    try:
        url = services.payment_start(order=order, actor=request.user, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(order)
    if url:
        return redirect(url)
    messages.info(
        request,
        _("Pay the stall as its instructions say; the seller confirms when the money arrives."),
    )
    return redirect(order)


# --- the sandbox gateway's own site ----------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def sandbox_gateway(request, reference):
    """The gateway's hosted page. Like a real gateway's site it knows only the payment's
    reference (amount, merchant, order number): never who is logged in to the shop."""
    payment = sandbox.gateway_payment(reference)
    if payment is None:
        raise Http404
    is_open = sandbox.gateway_is_open(payment)
    form = SandboxDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not is_open:
            return redirect("orders:sandbox-return", reference=payment.reference)
        if form.is_valid():
            sandbox.gateway_decide(
                payment=payment,
                succeeded=form.cleaned_data["decision"] == SandboxDecisionForm.PAY,
            )
            return redirect("orders:sandbox-return", reference=payment.reference)
        status = 400
    context = {"payment": payment, "form": form, "is_open": is_open}
    return render(request, "orders/sandbox_gateway.html", context, status=status)


@csrf_exempt
@require_POST
def sandbox_callback(request):
    """The gateway's server-to-server callback: verified by signature, not by session."""
    result = services.payment_callback_handle(
        provider=PaymentMethod.SANDBOX, body=request.body, headers=request.headers
    )
    return HttpResponse(result.message, status=result.status, content_type="text/plain")


# --- back on our site ---------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def sandbox_return(request, reference):
    """Where the gateway sends the buyer back: "paid", or "waiting for confirmation…" until the
    callback arrives (htmx polls the status fragment; without JavaScript, a refresh link).
    While it waits, the gateway is asked too, so a lost callback does not leave it waiting."""
    payment = get_payment_for_buyer(request.user, reference)
    if services.payment_check_while_waiting(payment=payment):
        payment = get_payment_for_buyer(request.user, reference)
    context = {"order": payment.order, "payment": payment}
    if request.headers.get("HX-Request"):
        return render(request, "orders/sandbox_return.html#result", context)
    return render(request, "orders/sandbox_return.html", context)
