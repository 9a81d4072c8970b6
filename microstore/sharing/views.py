"""Share links: make one (POST), follow one (records a visit, sets the attribution cookie),
one link's page (the link to copy, its QR code, its figures), and the two figures pages: the
sharer's own links and a stall's orders through shares; and a product link's poster (a PNG
made by a task)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import selectors as catalog_selectors
from microstore.errors import DomainError
from microstore.notifications.services import absolute_url
from microstore.qr import qr_response
from microstore.sharing import selectors, services
from microstore.sharing.access import get_share_link_for_user
from microstore.sharing.poster import poster_size
from shops.access import get_shop_for_member, get_shop_on_square


def _made(request, link):
    messages.success(request, _("Your share link is ready: copy it or show its QR code."))
    return redirect("sharing:detail", code=link.code)


@login_required
@require_POST
def share_shop(request, shop_slug):
    shop = get_shop_on_square(shop_slug)
    try:
        link = services.share_link_for(user=request.user, shop=shop)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(shop)
    return _made(request, link)


@login_required
@require_POST
def share_product(request, shop_slug, slug):
    shop = get_shop_on_square(shop_slug)
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
def detail(request, code):
    """One of the sharer's links: the URL to copy, its QR code and what it brought."""
    link = get_share_link_for_user(request.user, code)
    context = {
        "link": link,
        "share_url": request.build_absolute_uri(link.get_absolute_url()),
        "figures": selectors.share_link_figures(link),
    }
    return render(request, "sharing/sharelink_detail.html", context)


@login_required
@require_GET
def qr(request, code):
    """The QR code of the sharer's own link (scanning it counts as a visit through the link)."""
    link = get_share_link_for_user(request.user, code)
    return qr_response(
        absolute_url(link.get_absolute_url()),
        title=_("QR code for %(name)s") % {"name": link.target_title()},
        private=True,
    )


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


@login_required
@require_http_methods(["GET", "POST"])
def poster(request, code):
    """A product link's poster. GET shows it, asking for a new one first if the product has
    changed since (so a shared poster never shows an old price); while it is being made, an
    htmx fragment asks again every second. POST makes it again (after a failure, say)."""
    link = get_share_link_for_user(request.user, code)
    if request.method == "POST":
        try:
            services.poster_request(link=link, actor=request.user, force=True)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("sharing:poster", code=link.code)
    error = ""
    poster = None
    try:
        poster = services.poster_request(link=link, actor=request.user)
    except DomainError as exc:
        error = exc.message
    context = {"link": link, "poster": poster, "error": error, "size": poster_size()}
    if request.headers.get("HX-Request"):  # htmx swaps only 2xx: the message must show
        return render(request, "sharing/poster.html#poster", context)
    return render(request, "sharing/poster.html", context, status=400 if error else 200)


@login_required
@require_GET
def poster_png(request, code):
    """The poster's PNG, for its sharer only; ``?download=1`` saves it as a file."""
    link = get_share_link_for_user(request.user, code)
    poster = getattr(link, "poster", None)
    if poster is None or not poster.is_ready:
        raise Http404
    try:
        file = default_storage.open(poster.image_name, "rb")
    except OSError:
        raise Http404 from None
    download = request.GET.get("download") == "1"
    filename = f"{link.product.slug if link.product_id else link.code}-poster.png"
    response = FileResponse(
        file, content_type="image/png", as_attachment=download, filename=filename
    )
    if request.GET.get("v") == poster.version:
        response["Cache-Control"] = "private, max-age=31536000, immutable"  # new poster, new URL
    else:
        response["Cache-Control"] = "private, no-cache"
    return response
