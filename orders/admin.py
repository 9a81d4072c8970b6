"""The orders admin: read-mostly, because orders, money and returns change only through the
services (which log every step on the order's timeline and tell both sides).

Moderators rule on complaints from the complaint's page ("Decide this complaint"), which needs
the complaint "change" permission: view-only staff can read everything and decide nothing.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from microstore.admin_actions import ReadOnlyInline, RecordAdmin
from microstore.errors import DomainError
from orders.forms.aftersales import DisputeRulingForm
from orders.models import (
    Dispute,
    GatewayEvent,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Refund,
    ReturnLine,
    ReturnPhoto,
    ReturnRequest,
)
from orders.services.aftersales import dispute_rule


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = [
        "title",
        "variant_name",
        "sku",
        "unit_price",
        "quantity",
        "line_total",
        "provenance",
        "returns_excluded",
        "returned_quantity",
    ]
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "action", "old_status", "new_status", "role", "actor", "note"]
    readonly_fields = fields
    verbose_name_plural = _("timeline")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["provider", "reference", "provider_reference", "amount", "status", "paid_at"]
    readonly_fields = fields


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["created_at", "amount", "source", "role", "actor", "reason", "provider_reference"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Every column read-only: status and money move through the lifecycle services."""

    list_display = ["number", "shop", "buyer", "status", "total", "refunded_total", "placed_at"]
    list_filter = ["status", "payment_method"]
    list_select_related = ["shop", "buyer"]
    search_fields = ["=number", "buyer__email", "shop__name", "shop__slug"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, PaymentInline, RefundInline, OrderEventInline]
    view_on_site = False  # its page is the buyer's own

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReturnLineInline(ReadOnlyInline):
    model = ReturnLine
    fields = ["order_line", "quantity"]
    readonly_fields = fields


class ReturnPhotoInline(ReadOnlyInline):
    model = ReturnPhoto
    fields = ["position", "image"]
    readonly_fields = fields


@admin.register(ReturnRequest)
class ReturnRequestAdmin(RecordAdmin):
    list_display = ["order", "status", "amount", "requested_at", "refunded_at"]
    list_filter = ["status"]
    list_select_related = ["order"]
    search_fields = ["=order__number", "order__buyer__email", "order__shop__name"]
    date_hierarchy = "requested_at"
    inlines = [ReturnLineInline, ReturnPhotoInline]


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    """Complaints are read here and decided on their own page (``rule_view``)."""

    list_display = ["order", "shop", "kind", "status", "outcome", "opened_at", "answer_by"]
    list_filter = ["status", "kind", "outcome"]
    list_select_related = ["order", "shop"]
    search_fields = ["=order__number", "order__buyer__email", "shop__name", "shop__slug"]
    date_hierarchy = "opened_at"
    fields = [
        "decide",
        "order",
        "shop",
        "kind",
        "status",
        "statement",
        "answer_by",
        "seller_answer",
        "answered_at",
        "escalated_by",
        "escalation_note",
        "escalated_at",
        "outcome",
        "refund_amount",
        "ruling_reason",
        "ruled_by",
        "resolved_at",
        "opened_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        """The "Decide" link only for those who may decide."""
        if self.has_change_permission(request, obj):
            return self.fields
        return [name for name in self.fields if name != "decide"]

    @admin.display(description=_("ruling"))
    def decide(self, dispute):
        if not dispute.is_active:
            return dispute.get_outcome_display() or "—"
        url = reverse("admin:orders_dispute_rule", args=[dispute.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Decide this complaint"))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/rule/",
                self.admin_site.admin_view(self.rule_view),
                name="orders_dispute_rule",
            ),
            *super().get_urls(),
        ]

    def rule_view(self, request, object_id):
        """Refund in full, in part or reject, with a reason both sides read."""
        dispute = self.get_object(request, object_id)
        if dispute is None:
            raise Http404
        if not self.has_change_permission(request, dispute):
            raise PermissionDenied
        change_url = reverse("admin:orders_dispute_change", args=[dispute.pk])
        form = DisputeRulingForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                dispute_rule(
                    dispute=dispute,
                    actor=request.user,
                    outcome=form.cleaned_data["outcome"],
                    amount=form.cleaned_data.get("amount"),
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                dispute.refresh_from_db()
                self.log_change(
                    request,
                    dispute,
                    f"{dispute.get_outcome_display()}: {dispute.ruling_reason}",
                )
                self.message_user(request, _("The complaint is decided; both sides are told."))
                return HttpResponseRedirect(change_url)
        order = dispute.order
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decide the complaint on order %(number)s") % {"number": order.number},
            "opts": self.opts,
            "dispute": dispute,
            "order": order,
            "form": form,
            "change_url": change_url,
            "media": self.media + form.media,
        }
        return TemplateResponse(
            request,
            "admin/orders/dispute_rule.html",
            context,
            status=400 if form.is_bound else 200,
        )


@admin.register(Payment)
class PaymentAdmin(RecordAdmin):
    list_display = ["order", "provider", "amount", "status", "created_at", "paid_at"]
    list_filter = ["provider", "status"]
    list_select_related = ["order"]
    search_fields = ["=order__number", "=reference", "provider_reference"]
    date_hierarchy = "created_at"


@admin.register(Refund)
class RefundAdmin(RecordAdmin):
    list_display = ["order", "amount", "source", "role", "actor", "created_at"]
    list_filter = ["source", "role"]
    list_select_related = ["order", "actor"]
    search_fields = ["=order__number", "provider_reference"]
    date_hierarchy = "created_at"


@admin.register(GatewayEvent)
class GatewayEventAdmin(RecordAdmin):
    list_display = ["provider", "event_id", "kind", "payment", "received_at"]
    list_filter = ["provider", "kind"]
    list_select_related = ["payment"]
    search_fields = ["=event_id"]
    date_hierarchy = "received_at"
