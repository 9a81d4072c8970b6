from django.contrib import admin

from shops.models import Follow, Shop, ShopMember, ShopSlug


class ShopMemberInline(admin.TabularInline):
    model = ShopMember
    extra = 0
    raw_id_fields = ["user"]


class ShopSlugInline(admin.TabularInline):
    model = ShopSlug
    extra = 0
    readonly_fields = ["slug", "created_at"]
    can_delete = False


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "code", "region", "status", "followers_count", "created_at"]
    list_filter = ["status", "region"]
    search_fields = ["name", "slug", "code", "members__user__email"]
    readonly_fields = ["code", "followers_count", "created_at", "updated_at"]
    raw_id_fields = ["logo", "banner"]
    inlines = [ShopMemberInline, ShopSlugInline]
    date_hierarchy = "created_at"


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "shop", "created_at"]
    list_filter = ["shop__region", "shop__status"]
    search_fields = ["user__email", "shop__name", "shop__slug"]
    raw_id_fields = ["user", "shop"]
    list_select_related = ["user", "shop"]
