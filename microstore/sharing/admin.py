"""Share links, read-only: who shared what, what it brought, and its poster."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from microstore.admin_actions import ReadOnlyInline
from microstore.sharing.models import ShareLink, SharePoster
from microstore.sharing.selectors import links_with_counts


class SharePosterInline(ReadOnlyInline):
    model = SharePoster
    fields = ["status", "image_name", "error", "requested_at", "made_at"]
    readonly_fields = fields


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    inlines = [SharePosterInline]
    list_display = ["code", "user", "shop", "product", "created_at", "visits", "orders"]
    list_select_related = ["user", "shop", "product"]
    search_fields = ["code", "user__email", "user__display_name", "shop__name", "product__title"]
    readonly_fields = ["code", "user", "shop", "product", "created_at", "visits", "orders"]
    fields = readonly_fields
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return links_with_counts(super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("visits"), ordering="visit_count")
    def visits(self, obj):
        return obj.visit_count

    @admin.display(description=_("orders"), ordering="order_count")
    def orders(self, obj):
        return obj.order_count
