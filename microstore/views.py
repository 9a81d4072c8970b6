from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from catalog.selectors import product_list_published
from shops import selectors as shop_selectors
from shops.forms import SquareFilterForm

SQUARE_PER_PAGE = 24
GOODS_ON_SQUARE = 24


@require_GET
def home(request):
    """The square: stalls (filtered, sorted, paginated) and, once the catalog exists, goods."""
    filter_form = SquareFilterForm(request.GET or None)
    filters = filter_form.filters() if request.GET else {}
    stalls = shop_selectors.shop_list_square(**filters)
    page = Paginator(stalls, SQUARE_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "filtered": bool(
            filters.get("region") or filters.get("verified") or filters.get("min_trust")
        ),
        "page": page,
        "page_query": query.urlencode(),
        "my_shop": shop_selectors.shop_owned_by(request.user),
        "goods": product_list_published()[:GOODS_ON_SQUARE],
    }
    # A hand-made filter URL with a region or sort we do not know: say so, show everything.
    status = 400 if request.GET and not filter_form.is_valid() else 200
    return render(request, "square.html", context, status=status)


@never_cache
@require_GET
def healthz(request):
    """For load balancers and uptime checks: 200 when the database and cache answer, else 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("healthz", "ok", 10)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "error: no read-back"
    except Exception as exc:
        checks["cache"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)
