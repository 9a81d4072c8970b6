"""Share links: make one (POST), follow one (records a visit, sets the attribution cookie),
and the two figures pages: the sharer's own links and a stall's orders through shares."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog import selectors as catalog_selectors
from microstore.errors import DomainError
from microstore.sharing import selectors, services
from shops import selectors as shop_selectors
from shops.access import get_shop_for_member


def _public_shop(slug):
    shop = shop_selectors.shop_by_slug(slug)
    if shop is None or shop.is_closed:
        raise Http404
    return shop


def _made(request, link):
    messages.success(request, _("Your share link is ready: copy it below."))
    return redirect(f"{reverse('sharing:mine')}#share-{link.code}")


@login_required
@require_POST
def share_shop(request, shop_slug):
    shop = _public_shop(shop_slug)
    try:
        link = services.share_link_for(user=request.user, shop=shop)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(shop)
    return _made(request, link)


@login_required
@require_POST
def share_product(request, shop_slug, slug):
    shop = _public_shop(shop_slug)
    product = catalog_selectors.product_for_page(shop=shop, slug=slug)
    if product is None or not product.is_published:
        raise Http404
    try:
        link = services.share_link_for(user=request.user, shop=shop, product=product)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(product)
    return _made(request, link)


@require_GET
def visit(request, code):
    """``/share/<code>/``: count the visit, remember the link in a signed cookie for the
    attribution window, and go on to the stall or product. The sharer's own clicks count
    for nothing."""
    link = selectors.share_link_by_code(code)
    if link is None:
        raise Http404
    response = redirect(link.target_url())
    if request.user.is_authenticated and request.user.pk == link.user_id:
        return response
    response.set_cookie(
        services.COOKIE_NAME,
        services.share_visit_record(link=link),
        max_age=services.cookie_max_age(),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


@login_required
@require_GET
def mine(request):
    """The sharer's links, each with its visits and the orders it brought."""
    links = list(selectors.share_links_of(request.user))
    for link in links:
        link.share_url = request.build_absolute_uri(link.get_absolute_url())
    return render(request, "sharing/sharelink_mine.html", {"links": links})


@login_required
@require_GET
def shop_shares(request, shop_slug):
    """A stall's orders and revenue through shares, per period, and its top sharers."""
    shop = get_shop_for_member(request.user, shop_slug)
    days = selectors.period_days(request.GET.get("days"))
    stats = selectors.shop_share_stats(shop=shop, days=days)
    return render(
        request,
        "sharing/shop_shares.html",
        {"shop": shop, "stats": stats, "periods": selectors.PERIODS},
    )
