"""Stall updates: the seller posts them, the stall page lists them, "My square" gathers them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microstore.redirects import same_site
from microstore.steps import form_step
from shops import access, selectors, updates
from shops.update_forms import ReportForm, UpdateForm

UPDATES_PER_PAGE = 20
MANAGE_RECENT = 20


@login_required
@require_http_methods(["GET", "POST"])
def update_manage(request, slug):
    """The seller's "Updates" page: post one, see what was posted (hidden ones too)."""
    shop = access.get_shop_for_member(request.user, slug)
    context = {
        "shop": shop,
        "left": updates.updates_left_today(shop),
        "recent": updates.updates_for_manager(shop)[:MANAGE_RECENT],
    }
    return form_step(
        request,
        form_class=UpdateForm,
        template="shops/update_manage.html",
        context=context,
        apply=lambda form: updates.update_post(
            shop=shop,
            actor=request.user,
            text=form.cleaned_data["text"],
            photos=form.cleaned_data["photos"],
        ),
        done=_("Your update is posted. Your followers will see it."),
        back=reverse("shops:updates-manage", kwargs={"slug": shop.slug}),
    )


@require_GET
def shop_updates(request, slug):
    """All updates of a stall, newest first."""
    shop = access.get_shop_on_square(slug)
    paginator = Paginator(updates.updates_for_shop(shop), UPDATES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    is_owner = selectors.shop_is_member(shop=shop, user=request.user)
    context = {"shop": shop, "page": page, "is_owner": is_owner}
    return render(request, "shops/update_list.html", context)


@login_required
@require_GET
def square_mine(request):
    """ "My square": updates of the stalls I follow, newest first, muted stalls left out."""
    paginator = Paginator(updates.feed_for_user(request.user), UPDATES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {"page": page, "muted": list(updates.muted_shops(request.user))}
    return render(request, "shops/square_mine.html", context)


def _back(request, default: str):
    """Where the form came from (``next``, this site only), else ``default``."""
    return same_site(request, request.POST.get("next") or request.GET.get("next") or "", default)


def _mute_response(request, shop, *, muted: bool):
    if request.headers.get("HX-Request"):
        return render(request, "shops/mute_button.html", {"shop": shop, "muted": muted})
    if muted:
        messages.success(
            request,
            _("%(name)s is muted: its updates stay out of “My square”. You still follow it.")
            % {"name": shop.name},
        )
    return redirect(_back(request, reverse("shops:square-mine")))


@login_required
@require_POST
def shop_mute(request, slug):
    shop = access.get_shop_on_square(slug)
    updates.mute(user=request.user, shop=shop)
    return _mute_response(request, shop, muted=True)


@login_required
@require_POST
def shop_unmute(request, slug):
    shop = access.get_shop_on_square(slug)
    updates.unmute(user=request.user, shop=shop)
    return _mute_response(request, shop, muted=False)


@login_required
@require_http_methods(["GET", "POST"])
def update_report(request, public_id):
    update = updates.update_for_report(public_id)
    if update is None:
        raise Http404
    back = _back(request, reverse("shops:square-mine"))
    return form_step(
        request,
        form_class=ReportForm,
        template="shops/update_report.html",
        context={"update": update, "back": back},
        apply=lambda form: updates.update_report(
            update=update,
            reporter=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        ),
        done=_("Thank you. The moderators will look at this update."),
        back=back,
    )
