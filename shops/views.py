from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.selectors import product_list_for_shop
from microstore.accounts.access import verified_email_required
from microstore.errors import DomainError
from microstore.redirects import same_site
from shops import access, selectors, services, updates, views_share
from shops.forms import (
    BusinessVerificationForm,
    IdentityVerificationForm,
    ShopForm,
    StatusForm,
)
from shops.models import Status, Verification

FOLLOWED_PER_PAGE = 24
GOODS_ON_STALL_PAGE = 48
UPDATES_SHOWN = 3  # on the stall page; "more" leads to /stalls/<slug>/updates/


@verified_email_required
@require_http_methods(["GET", "POST"])
def shop_open(request):
    """Open your stall: one per person; someone who has one is sent to it."""
    owned = selectors.shop_owned_by(request.user)
    if owned:
        return redirect("shops:manage", slug=owned.slug)
    form = ShopForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                shop = services.shop_open(
                    actor=request.user,
                    logo=form.cleaned_data["logo"],
                    banner=form.cleaned_data["banner"],
                    **form.profile(),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your stall is open. Welcome to the square!"))
                return redirect(shop)
        return render(request, "shops/shop_open.html", {"form": form}, status=400)
    return render(request, "shops/shop_open.html", {"form": form})


@verified_email_required
@require_GET
def my_shop(request):
    """ "My stall" from the header: your stall's dashboard, or the form to open one."""
    owned = selectors.shop_owned_by(request.user)
    if owned is None:
        return redirect("shops:open")
    return redirect("shops:manage", slug=owned.slug)


@verified_email_required
@require_http_methods(["GET", "POST"])
def shop_manage(request, slug):
    """The owner's dashboard: the profile form and the status buttons."""
    shop = access.get_shop_for_member(request.user, slug)
    form = ShopForm(request.POST or None, request.FILES or None, instance=shop)
    if request.method == "POST":
        if shop.is_closed:
            if shop.is_suspended:
                messages.error(request, _("A suspended stall cannot be edited."))
            else:
                messages.error(request, _("A closed stall cannot be edited."))
            return redirect("shops:manage", slug=shop.slug)
        if form.is_valid():
            try:
                shop = services.shop_update(
                    shop=shop,
                    actor=request.user,
                    logo=form.cleaned_data["logo"],
                    banner=form.cleaned_data["banner"],
                    **form.profile(),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your stall is saved."))
                return redirect("shops:manage", slug=shop.slug)
        shop.refresh_from_db()  # the page header shows what is saved, not what was typed
        return render(request, "shops/shop_manage.html", {"shop": shop, "form": form}, status=400)
    return render(request, "shops/shop_manage.html", {"shop": shop, "form": form})


@verified_email_required
@require_POST
def shop_status(request, slug):
    """Pause (holiday mode) or resume. Closing goes through its own confirm page."""
    shop = access.get_shop_for_member(request.user, slug)
    if shop.is_closed:
        messages.error(request, _("That is not a change a stall can make."))
        return redirect("shops:manage", slug=shop.slug)
    form = StatusForm(request.POST)
    if not form.is_valid() or form.cleaned_data["status"] == Status.CLOSED:
        messages.error(request, _("That is not a change a stall can make."))
        return render(
            request,
            "shops/shop_manage.html",
            {"shop": shop, "form": ShopForm(instance=shop)},
            status=400,
        )
    to = Status(form.cleaned_data["status"])
    try:
        services.shop_transition(shop=shop, to=to, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("shops:manage", slug=shop.slug)
    if to == Status.PAUSED:
        messages.success(request, _("Your stall is on holiday: shoppers see it but cannot buy."))
    else:
        messages.success(request, _("Your stall is open again."))
    return redirect("shops:manage", slug=shop.slug)


@verified_email_required
@require_http_methods(["GET", "POST"])
def shop_close(request, slug):
    """Closing a stall asks first: it cannot be undone by the owner."""
    shop = access.get_shop_for_member(request.user, slug)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm that you want to close your stall."))
            return render(request, "shops/shop_close.html", {"shop": shop}, status=400)
        try:
            services.shop_transition(shop=shop, to=Status.CLOSED, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("shops:manage", slug=shop.slug)
        messages.success(request, _("Your stall is closed."))
        return redirect("shops:manage", slug=shop.slug)
    return render(request, "shops/shop_close.html", {"shop": shop})


@require_GET
def shop_detail(request, slug):
    """The public stall page. Old slugs redirect for good; closed stalls say so (410)."""
    shop = selectors.shop_by_slug(slug)
    if shop is None:
        moved = selectors.shop_slug_redirect(slug=slug)
        if moved is None:
            raise Http404
        return redirect(moved, permanent=True)
    is_owner = selectors.shop_is_member(shop=shop, user=request.user)
    context = {
        "shop": shop,
        "goods": [] if shop.is_closed else product_list_for_shop(shop)[:GOODS_ON_STALL_PAGE],
        "is_owner": is_owner,
        "is_followed": selectors.shop_is_followed(shop=shop, user=request.user),
        # The trust card's score and parts, joined by the selector (None until first computed).
        "trust": getattr(shop, "trust", None),
        "updates": [] if shop.is_closed else updates.updates_for_shop(shop)[:UPDATES_SHOWN],
        **views_share.shop_share_context(shop),  # Open Graph / Twitter tags
    }
    return render(request, "shops/shop_detail.html", context, status=410 if shop.is_closed else 200)


@require_GET
def shop_short(request, code):
    """``/s/<code>/``: a short link that never changes; the slug it points at may."""
    shop = selectors.shop_slug_redirect(code=code)
    if shop is None:
        raise Http404
    return redirect(shop)


def _follow_response(request, shop, *, followed: bool):
    if request.headers.get("HX-Request"):
        return render(
            request,
            "shops/shop_detail.html#follow",
            {"shop": shop, "is_followed": followed},
        )
    return redirect(same_site(request, request.POST.get("next", ""), shop.get_absolute_url()))


@login_required
@require_POST
def shop_follow(request, slug):
    shop = selectors.shop_by_slug(slug)
    if shop is None:
        raise Http404
    try:
        shop = services.follow(user=request.user, shop=shop)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(shop)
    return _follow_response(request, shop, followed=True)


@login_required
@require_POST
def shop_unfollow(request, slug):
    shop = selectors.shop_by_slug(slug)
    if shop is None:
        raise Http404
    shop = services.unfollow(user=request.user, shop=shop)
    return _follow_response(request, shop, followed=False)


@login_required
@require_GET
def followed_list(request):
    """ "My followed stalls"."""
    paginator = Paginator(selectors.shop_list_followed(user=request.user), FOLLOWED_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "shops/followed_list.html", {"page": page})


VERIFICATION_FORMS = {
    Verification.Kind.IDENTITY: IdentityVerificationForm,
    Verification.Kind.BUSINESS: BusinessVerificationForm,
}


@verified_email_required
@require_http_methods(["GET", "POST"])
def verification(request):
    """Ask to be verified, and see where each request stands."""
    shop = selectors.shop_owned_by(request.user)
    if shop is None:
        return redirect("shops:open")
    forms = {kind: form(prefix=kind) for kind, form in VERIFICATION_FORMS.items()}
    status = 200
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in VERIFICATION_FORMS:
            messages.error(request, _("Choose which verification you are asking for."))
            status = 400
        else:
            form = VERIFICATION_FORMS[kind](request.POST, request.FILES, prefix=kind)
            forms[kind] = form
            if form.is_valid():
                try:
                    services.verification_request(
                        shop=shop, actor=request.user, kind=kind, **form.cleaned_data
                    )
                except DomainError as exc:
                    # Shown at the top: the form may be hidden (a request is already waiting).
                    messages.error(request, exc.message)
                else:
                    messages.success(
                        request,
                        _("Thank you. A moderator will look at your request within two days."),
                    )
                    return redirect("shops:verification")
            status = 400
    context = {
        "shop": shop,
        "forms": forms,
        "state": selectors.verification_state(shop),
        "renew_days": settings.SHOP_VERIFICATION_RENEW_DAYS,
    }
    return render(request, "shops/verification.html", context, status=status)
