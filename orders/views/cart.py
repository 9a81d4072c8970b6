"""The cart, checkout and the address book.

Anonymous shoppers have a cart whose token is in the session; logged-in shoppers their stored
cart (the two merge on log-in, see ``microstore.accounts.adapter``). Changes work with htmx
(the cart partial is swapped) and without JavaScript (plain POST, then a redirect).
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microstore.accounts.access import verified_email_required
from microstore.errors import DomainError
from microstore.redirects import same_site
from microstore.sharing.services import COOKIE_NAME as SHARE_COOKIE
from microstore.sharing.services import link_from_cookie
from microstore.steps import form_step
from orders import access
from orders.forms.cart import AddressForm, AddToCartForm, CheckoutForm, QuantityForm
from orders.models import Cart, PaymentMethod
from orders.selectors.cart import (
    addresses_of,
    cart_of,
    cart_summary,
    checkout_orders,
    checkout_placed,
)
from orders.services import cart as services
from orders.services.checkout import checkout_place


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _token_of(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(request.session.get(services.SESSION_KEY, "")))
    except ValueError:
        return None


def _cart(request, *, create: bool = False) -> Cart | None:
    """The shopper's cart: the stored one when logged in, else the session's."""
    if request.user.is_authenticated:
        if create:
            return services.cart_get_or_create(user=request.user)
        return cart_of(user=request.user)
    token = _token_of(request)
    cart = cart_of(token=token) if token else None
    if cart is None and create:
        cart = services.cart_get_or_create(token=token)
        request.session[services.SESSION_KEY] = str(cart.token)
    return cart


def _remember_count(request, count: int) -> None:
    """The header's cart count lives in the session: no query on every page."""
    if request.session.get(services.SESSION_COUNT_KEY) != count:
        request.session[services.SESSION_COUNT_KEY] = count


def _cart_page(request, *, status: int = 200):
    summary = cart_summary(_cart(request))
    _remember_count(request, summary.count)
    htmx = _is_htmx(request)
    template = "orders/cart.html#cart-response" if htmx else "orders/cart.html"
    return render(request, template, {"summary": summary, "is_htmx": htmx}, status=status)


def _after_change(request, *, error: str = ""):
    if _is_htmx(request):
        if error:
            messages.error(request, error)
        return _cart_page(request, status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect("orders:cart")


# --- the cart ----------------------------------------------------------------------------------


@require_GET
def cart_detail(request):
    return _cart_page(request)


@require_POST
def cart_add(request):
    """Add a variant from its product page. Refusals (sold out, not on sale, stall closed or on
    holiday) answer 400 with the reason and a way back."""
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        return _add_refused(request, " ".join(errors))
    cart = _cart(request, create=True)
    try:
        line = services.cart_add(
            cart=cart,
            variant_id=form.cleaned_data["variant"],
            quantity=form.cleaned_data["quantity"],
        )
    except DomainError as exc:
        return _add_refused(request, exc.message)
    request.session[services.SESSION_COUNT_KEY] = (
        request.session.get(services.SESSION_COUNT_KEY, 0) + form.cleaned_data["quantity"]
    )
    messages.success(
        request,
        _("Added to your cart: %(quantity)s of %(name)s.")
        % {"name": str(line.variant), "quantity": form.cleaned_data["quantity"]},
    )
    return redirect("orders:cart")


def _add_refused(request, message: str):
    back = same_site(request, request.META.get("HTTP_REFERER", ""))
    return render(
        request, "orders/cart_add_refused.html", {"message": message, "back": back}, status=400
    )


@require_POST
def cart_update(request, variant_id):
    form = QuantityForm(request.POST)
    cart = _cart(request)
    if cart is None:
        return _after_change(request, error=_("Your cart is empty."))
    if not form.is_valid():
        return _after_change(request, error=" ".join(form.errors["quantity"]))
    try:
        services.cart_set_quantity(
            cart=cart, variant_id=variant_id, quantity=form.cleaned_data["quantity"]
        )
    except DomainError as exc:
        return _after_change(request, error=exc.message)
    return _after_change(request)


@require_POST
def cart_remove(request, variant_id):
    cart = _cart(request)
    if cart is not None:
        services.cart_remove(cart=cart, variant_id=variant_id)
    return _after_change(request)


@require_POST
def cart_accept_changes(request):
    cart = _cart(request)
    if cart is not None and services.cart_accept_changes(cart=cart):
        messages.success(request, _("The new prices are in your cart."))
    return _after_change(request)


# --- checkout ----------------------------------------------------------------------------------


# The inline "new address" form sits folded away beside the saved addresses: no `required`
# attributes, or the browser would refuse to submit the page when a saved address is chosen
# (the server checks the fields when "A new address" is chosen).
NEW_ADDRESS = {"prefix": "new", "use_required_attribute": False}


def _checkout_context(request, summary, form, address_form):
    return {
        "summary": summary,
        "form": form,
        "address_form": address_form,
        "groups": summary.buyable_groups,
    }


@verified_email_required
@require_http_methods(["GET", "POST"])
def checkout(request):
    """Where to, how to pay each stall, a note each; then ``checkout_place``. The token
    is made when the page renders, so a resubmitted form places the orders once."""
    if request.method == "POST":
        placed = _already_placed(request)
        if placed is not None:  # a resubmitted form: its orders exist already
            return redirect("orders:checkout-done", token=placed.token)
    cart = _cart(request)
    summary = cart_summary(cart)
    _remember_count(request, summary.count)
    if summary.is_empty:
        messages.error(request, _("Your cart is empty: add something first."))
        return redirect("orders:cart")
    if not summary.can_check_out and request.method == "GET":
        if summary.price_changes:
            messages.error(request, _("Some prices changed: accept them in your cart first."))
        elif summary.short_lines:
            messages.error(request, _("Some goods have fewer left than you want: lower them."))
        else:
            messages.error(request, _("Nothing in your cart can be bought right now."))
        return redirect("orders:cart")
    addresses = list(addresses_of(request.user))
    groups = summary.buyable_groups
    if request.method == "GET":
        form = CheckoutForm(addresses=addresses, groups=groups, initial={"token": uuid.uuid4()})
        address_form = AddressForm(**NEW_ADDRESS)
        return render(
            request,
            "orders/checkout.html",
            _checkout_context(request, summary, form, address_form),
        )

    form = CheckoutForm(request.POST, addresses=addresses, groups=groups)
    address_form = AddressForm(request.POST if form.wants_new_address else None, **NEW_ADDRESS)
    status = 400
    address = None
    if form.is_valid() and (not form.wants_new_address or address_form.is_valid()):
        try:
            if form.wants_new_address:
                address = services.address_create(
                    user=request.user,
                    fields=address_form.fields_for_service(),
                    make_default=address_form.cleaned_data["make_default"],
                )
            else:
                address = form.chosen_address()
            share_link = link_from_cookie(request.COOKIES.get(SHARE_COOKIE))
            group = checkout_place(
                buyer=request.user,
                cart=cart,
                token=form.cleaned_data["token"],
                address=address,
                choices=form.choices(),
                share_link=share_link,
                referrer=share_link.user if share_link else None,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            if form.wants_new_address and address is not None:
                # Saved to the book already: offer it, chosen, when the page comes back.
                data = request.POST.copy()
                data["address"] = str(address.pk)
                form = _rebound(data, request.user, groups, form)
                address_form = AddressForm(**NEW_ADDRESS)
            status = 409
        else:
            request.session[services.SESSION_COUNT_KEY] = 0
            messages.success(request, _("Thank you: your orders are placed."))
            return redirect("orders:checkout-done", token=group.token)
    return render(
        request,
        "orders/checkout.html",
        _checkout_context(request, summary, form, address_form),
        status=status,
    )


def _already_placed(request):
    try:
        token = uuid.UUID(request.POST.get("token", ""))
    except ValueError:
        return None
    return checkout_placed(buyer=request.user, token=token)


def _rebound(data, user, groups, old_form) -> CheckoutForm:
    form = CheckoutForm(data, addresses=list(addresses_of(user)), groups=groups)
    form.is_valid()
    for error in old_form.non_field_errors():
        form.add_error(None, error)
    return form


@login_required
@require_GET
def checkout_done(request, token):
    group = access.get_checkout_for_buyer(request.user, token)
    orders = checkout_orders(group)
    return render(
        request,
        "orders/checkout_done.html",
        {"group": group, "orders": orders, "PaymentMethod": PaymentMethod},
    )


# --- the address book --------------------------------------------------------------------------


@login_required
@require_GET
def address_list(request):
    return render(request, "orders/address_list.html", {"addresses": addresses_of(request.user)})


def _next_url(request) -> str:
    return "orders:checkout" if request.POST.get("next") == "checkout" else "orders:addresses"


@login_required
@require_http_methods(["GET", "POST"])
def address_add(request):
    return form_step(
        request,
        form_class=AddressForm,
        template="orders/address_form.html",
        apply=lambda form: services.address_create(
            user=request.user,
            fields=form.fields_for_service(),
            make_default=form.cleaned_data["make_default"],
        ),
        done=_("The address is in your address book."),
        back=_next_url(request),
        context={"next": request.GET.get("next", "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def address_edit(request, pk):
    address = access.get_address_for_user(request.user, pk)
    return form_step(
        request,
        form_class=AddressForm,
        form_kwargs={"instance": address, "initial": {"make_default": address.is_default}},
        template="orders/address_form.html",
        apply=lambda form: services.address_update(
            address=address,
            fields=form.fields_for_service(),
            make_default=form.cleaned_data["make_default"],
        ),
        done=_("The address is saved."),
        back="orders:addresses",
        context={"address": address},
    )


@login_required
@require_POST
def address_delete(request, pk):
    address = access.get_address_for_user(request.user, pk)
    services.address_delete(user=request.user, address=address)
    messages.success(request, _("The address is removed. Orders placed keep their own copy."))
    return redirect("orders:addresses")


@login_required
@require_POST
def address_default(request, pk):
    address = access.get_address_for_user(request.user, pk)
    services.address_set_default(user=request.user, address=address)
    messages.success(request, _("This is now your default address."))
    return redirect("orders:addresses")
