from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    """The square: every stall and the newest goods. Empty until the first stall opens."""
    return render(request, "square.html")


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:100]
    return render(request, "search.html", {"query": query})


@require_GET
def cart(request):
    """The shopping cart. Nothing can be bought until the first stall lists goods."""
    return render(request, "cart.html")


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
