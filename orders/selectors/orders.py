"""Reads for the buyer's and the seller's order pages: lists with their tabs, one order with
its lines and timeline, and the CSV export's rows. Every queryset comes with what its page
shows already joined or prefetched, so a page costs the same queries for 1 order or 30."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import Dispute, Order, OrderLine, PaymentMethod, ReturnRequest, Status

# --- tabs -------------------------------------------------------------------------------------


def _active_return():
    return Exists(
        ReturnRequest.objects.filter(order=OuterRef("pk"), status__in=ReturnRequest.ACTIVE)
    )


def _active_dispute():
    return Exists(Dispute.objects.filter(order=OuterRef("pk"), status__in=Dispute.ACTIVE))


# tab → (label, filter). Filters are Q objects over Order plus the two annotations
# ``has_active_return`` and ``has_active_dispute``.
BUYER_TABS = {
    "all": (_("All"), Q()),
    "to_pay": (_("To pay"), Q(status=Status.AWAITING_PAYMENT)),
    "to_receive": (_("To receive"), Q(status__in=[Status.PAID, Status.SHIPPED])),
    "aftersales": (
        _("Returns and complaints"),
        Q(has_active_return=True) | Q(has_active_dispute=True),
    ),
    "done": (
        _("Done"),
        Q(status__in=[Status.RECEIVED, Status.COMPLETED, Status.CANCELLED, Status.REFUNDED]),
    ),
}

SELLER_TABS = {
    "to_confirm": (
        _("To confirm payment"),
        Q(status=Status.AWAITING_PAYMENT, payment_method=PaymentMethod.DIRECT),
    ),
    "to_ship": (_("To ship"), Q(status=Status.PAID)),
    "shipped": (_("Shipped"), Q(status=Status.SHIPPED)),
    "returns": (_("Returns"), Q(has_active_return=True)),
    "complaints": (_("Complaints"), Q(has_active_dispute=True)),
    "all": (_("All"), Q()),
}


def _annotated(queryset: QuerySet) -> QuerySet:
    first_line = OrderLine.objects.filter(order=OuterRef("pk")).order_by("pk")
    line_count = (
        OrderLine.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        has_active_return=_active_return(),
        has_active_dispute=_active_dispute(),
        first_title=Subquery(first_line.values("title")[:1]),
        line_count=Subquery(line_count, output_field=IntegerField()),
    )


def _tab_counts(queryset: QuerySet, tabs: dict) -> dict[str, int]:
    """How many orders each tab holds, in one query."""
    queryset = queryset.annotate(
        has_active_return=_active_return(), has_active_dispute=_active_dispute()
    )
    return queryset.aggregate(**{key: Count("pk", filter=q) for key, (_l, q) in tabs.items()})


# --- the buyer --------------------------------------------------------------------------------


def order_list_for_buyer(*, user, tab: str = "all") -> QuerySet:
    """The buyer's orders, newest first, with the stall and the items summary."""
    queryset = _annotated(Order.objects.filter(buyer=user).select_related("shop"))
    return queryset.filter(BUYER_TABS[tab][1]).order_by("-placed_at", "-pk")


def order_counts_for_buyer(*, user) -> dict[str, int]:
    return _tab_counts(Order.objects.filter(buyer=user), BUYER_TABS)


# --- the stall --------------------------------------------------------------------------------


def order_list_for_seller(*, shop, tab: str = "all", query: str = "") -> QuerySet:
    """The stall's orders in ``tab``, newest first; ``query`` finds an order by (part of) its
    number."""
    queryset = _annotated(Order.objects.filter(shop=shop).select_related("buyer", "referrer"))
    queryset = queryset.filter(SELLER_TABS[tab][1])
    if query:
        queryset = queryset.filter(number__contains=query)
    return queryset.order_by("-placed_at", "-pk")


def order_counts_for_seller(*, shop) -> dict[str, int]:
    return _tab_counts(Order.objects.filter(shop=shop), SELLER_TABS)


def order_to_ship_count(*, shop) -> int:
    """Paid orders waiting to be sent, for the stall's dashboard."""
    return Order.objects.filter(shop=shop, status=Status.PAID).count()


# --- one order --------------------------------------------------------------------------------


def order_page(*, order: Order, lines: list | None = None) -> dict:
    """What both sides' order pages show: the lines (unless already read) and the timeline."""
    return {
        "lines": list(order.lines.all()) if lines is None else lines,
        "events": list(order.events.select_related("actor").order_by("created_at", "pk")),
    }


# --- the export -------------------------------------------------------------------------------


def day_range(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the site's time zone."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def order_lines_for_export(*, shop, start: date, end: date) -> QuerySet:
    """Every line of the stall's orders placed from ``start`` to ``end`` (both included),
    oldest order first, with its order and buyer joined."""
    since, until = day_range(start, end)
    return (
        OrderLine.objects.filter(
            order__shop=shop, order__placed_at__gte=since, order__placed_at__lt=until
        )
        .select_related("order", "order__buyer")
        .order_by("order__placed_at", "order__pk", "pk")
    )
