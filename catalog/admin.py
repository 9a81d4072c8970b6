from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog import services
from catalog.forms import HideForm
from catalog.models import Category, Completeness, Product, ProvenanceCard, StockMovement, Variant
from microstore.admin_actions import confirm_action


class SubcategoryInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    extra = 1
    fields = ["name_en", "name_zh", "slug", "position", "requires_provenance", "returns_excluded"]
    verbose_name = _("subcategory")
    verbose_name_plural = _("subcategories")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "position", "requires_provenance", "returns_excluded"]
    list_editable = ["position", "requires_provenance", "returns_excluded"]
    list_filter = ["parent", "requires_provenance", "returns_excluded"]
    list_select_related = ["parent"]
    search_fields = ["name_en", "name_zh", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [SubcategoryInline]
    ordering = ["parent__position", "parent__name_en", "position", "name_en"]

    def get_inlines(self, request, obj):
        # Two levels: only top-level categories get subcategories.
        return self.inlines if obj is None or obj.parent_id is None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Category.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _given(name: str) -> Q:
    return ~Q(**{f"provenance__{name}": ""}) & Q(**{f"provenance__{name}__isnull": False})


def completeness_q(value: str) -> Q:
    """The same rule as ``ProvenanceCard.completeness``, as a filter."""
    date_or_batch = Q(provenance__production_date__isnull=False) | _given("batch")
    text = ["manufacturer", "manufacturer_address", "origin", "shelf_life", "licence_number"]
    complete = date_or_batch
    for name in text:
        complete &= _given(name)
    nothing = Q(provenance__isnull=True) | (
        Q(provenance__production_date__isnull=True)
        & Q(provenance__certificate__isnull=True)
        & Q(**{f"provenance__{name}": "" for name in [*text, "batch"]})
    )
    if value == Completeness.COMPLETE:
        return complete
    if value == Completeness.NOT_GIVEN:
        return nothing
    return ~complete & ~nothing


class CompletenessFilter(admin.SimpleListFilter):
    title = _("provenance")
    parameter_name = "provenance"

    def lookups(self, request, model_admin):
        return Completeness.choices

    def queryset(self, request, queryset):
        if self.value() in Completeness.values:
            return queryset.filter(completeness_q(self.value()))
        return queryset


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ["name", "sku", "price", "was_price", "stock", "low_stock_threshold"]
    readonly_fields = ["stock"]  # stock changes only through the locked stock service
    show_change_link = True


class ProvenanceInline(admin.StackedInline):
    model = ProvenanceCard
    extra = 0
    raw_id_fields = ["certificate"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["title", "shop", "category", "status", "completeness_label", "updated_at"]
    list_filter = ["status", "category", "shop__status", CompletenessFilter]
    search_fields = ["title", "slug", "shop__name", "shop__slug"]
    list_select_related = ["shop", "category", "category__parent", "provenance"]
    readonly_fields = ["status", "hidden_reason", "published_at", "created_at", "updated_at"]
    raw_id_fields = ["shop", "cover"]
    inlines = [VariantInline, ProvenanceInline]
    actions = ["hide_with_reason", "unhide"]
    date_hierarchy = "created_at"

    def save_related(self, request, form, formsets, change):
        """Variants and the provenance card edited here bypass the services: recompute the
        price, stock, provenance and search columns the listings read."""
        super().save_related(request, form, formsets, change)
        services.product_derived_refresh(product=form.instance)

    @admin.display(description=_("provenance"))
    def completeness_label(self, obj):
        return obj.completeness.label

    @admin.action(description=_("Hide from shoppers, with a reason (the seller is told)"))
    def hide_with_reason(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset.select_related("shop"),
            form_class=HideForm,
            title=_("Hide goods from shoppers"),
            intro=_(
                "These goods will vanish from the square and from their stalls. Each seller gets "
                "a notification and an email with the reason you give."
            ),
            apply=lambda product, reason: services.product_hide(
                product=product, actor=request.user, reason=reason
            ),
            done_message=lambda count: (
                ngettext(
                    "%(count)d product hidden; its seller was told why.",
                    "%(count)d products hidden; their sellers were told why.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(description=_("Lift the hiding (back to draft)"))
    def unhide(self, request, queryset):
        for product in queryset:
            services.product_unhide(product=product, actor=request.user)
        self.message_user(request, _("Done."), messages.SUCCESS)


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    list_display = ["variant", "delta", "stock_after", "reason", "actor", "created_at"]
    list_filter = ["reason"]
    search_fields = ["variant__sku", "variant__product__title"]
    list_select_related = ["variant__product", "actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
