"""Moderation of stalls: verification decisions, suspensions, and the audit trail of both.

Status, badges and verification decisions change only through admin actions that call the
services, so every change is logged (``ShopEvent``) and the seller is notified.
"""

from django.contrib import admin
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from microstore.admin_actions import (
    NoteForm,
    ReadOnlyInline,
    RecordAdmin,
    confirm_action,
    reason_form,
)
from shops import services
from shops.models import (
    Follow,
    Shop,
    ShopEvent,
    ShopMember,
    ShopSlug,
    StallUpdate,
    Status,
    UpdateReport,
    Verification,
)
from shops.updates import update_hide, update_keep

DOCUMENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


# The seller reads the reason of a turned-down request or a suspension.
ReasonForm = reason_form(_("The seller reads this in the notification and the email."))


class ShopMemberInline(admin.TabularInline):
    model = ShopMember
    extra = 0
    raw_id_fields = ["user"]


class ShopSlugInline(admin.TabularInline):
    model = ShopSlug
    extra = 0
    readonly_fields = ["slug", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class VerificationInline(ReadOnlyInline):
    model = Verification
    fields = ["kind", "status", "submitted_at", "decided_at", "expires_at", "reason"]
    readonly_fields = fields
    show_change_link = True


class ShopEventInline(ReadOnlyInline):
    model = ShopEvent
    fields = ["created_at", "action", "old_status", "new_status", "actor", "note"]
    readonly_fields = fields
    verbose_name_plural = _("history")


class VerifiedFilter(admin.SimpleListFilter):
    title = _("verified")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [
            ("identity", _("identity verified")),
            ("business", _("business verified")),
            ("no", _("not verified")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "identity":
            return queryset.filter(identity_verified_until__gt=now)
        if self.value() == "business":
            return queryset.filter(business_verified_until__gt=now)
        if self.value() == "no":
            return queryset.exclude(identity_verified_until__gt=now).exclude(
                business_verified_until__gt=now
            )
        return queryset


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "region",
        "status",
        "is_identity_verified",
        "is_business_verified",
        "followers_count",
        "created_at",
    ]
    list_filter = ["status", VerifiedFilter, "region"]
    search_fields = ["name", "slug", "code", "members__user__email"]
    readonly_fields = [
        "code",
        "status",
        "suspended_reason",
        "identity_verified_at",
        "identity_verified_until",
        "business_verified_at",
        "business_verified_until",
        "followers_count",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["logo", "banner"]
    inlines = [ShopMemberInline, VerificationInline, ShopEventInline, ShopSlugInline]
    date_hierarchy = "created_at"
    actions = ["suspend", "reinstate"]

    @admin.display(boolean=True, description=_("identity"))
    def is_identity_verified(self, shop):
        return shop.identity_badge() is not None

    @admin.display(boolean=True, description=_("business"))
    def is_business_verified(self, shop):
        return shop.business_badge() is not None

    @admin.action(
        description=_("Suspend the selected stalls (with a reason)"), permissions=["change"]
    )
    def suspend(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Suspend stalls"),
            intro=_(
                "Suspended stalls disappear from the square and cannot sell; their orders stay "
                "reachable. The seller is notified with your reason."
            ),
            apply=lambda shop, reason: services.shop_suspend(
                shop=shop, actor=request.user, reason=reason
            ),
        )

    @admin.action(description=_("Reinstate the selected stalls"), permissions=["change"])
    def reinstate(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset.filter(status=Status.SUSPENDED),
            form_class=NoteForm,
            title=_("Reinstate stalls"),
            intro=_("The stalls return to the square as they were before; the seller is told."),
            apply=lambda shop, note: services.shop_reinstate(
                shop=shop, actor=request.user, note=note
            ),
        )


@admin.register(Verification)
class VerificationAdmin(RecordAdmin):
    list_display = ["shop", "kind", "status", "submitted_at", "decided_at", "expires_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["shop"]
    search_fields = [
        "shop__name",
        "shop__slug",
        "real_name",
        "business_name",
        "licence_number",
        "shop__members__user__email",
    ]
    date_hierarchy = "submitted_at"
    view_on_site = False  # its URL is the seller's own page
    fields = [
        "shop",
        "kind",
        "status",
        "real_name",
        "id_number",
        "business_name",
        "licence_number",
        "document_preview",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "reason",
        "expires_at",
    ]
    readonly_fields = fields
    actions = ["approve", "reject"]

    @admin.display(description=_("document"))
    def document_preview(self, verification):
        if not verification.document:
            return "—"
        url = reverse("admin:shops_verification_document", args=[verification.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" width="480"></a>',
            url,
            url,
            _("the uploaded document"),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/document/",
                self.admin_site.admin_view(self.document_view),
                name="shops_verification_document",
            ),
            *super().get_urls(),
        ]

    def document_view(self, request, object_id):
        """The private document, only for admins allowed to view verification requests."""
        verification = self.get_object(request, object_id)
        if verification is None or not self.has_view_permission(request, verification):
            raise Http404
        if not verification.document:
            raise Http404
        response = FileResponse(
            verification.document.open("rb"),
            content_type=DOCUMENT_TYPES.get(
                verification.document_format, "application/octet-stream"
            ),
        )
        response["Cache-Control"] = "private, no-store"
        response["Content-Disposition"] = "inline"
        return response

    @admin.action(description=_("Approve the selected requests"), permissions=["decide"])
    def approve(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset,
            form_class=NoteForm,
            title=_("Approve verification requests"),
            intro=_("The stall shows the badge, dated today, for a year. The seller is notified."),
            apply=lambda verification, note: services.verification_approve(
                verification=verification, actor=request.user, note=note
            ),
        )

    @admin.action(
        description=_("Turn down the selected requests (with a reason)"), permissions=["decide"]
    )
    def reject(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Turn down verification requests"),
            intro=_(
                "The badge of that kind disappears from the stall (an approved request is "
                "withdrawn). The seller reads your reason and can ask again."
            ),
            apply=lambda verification, reason: services.verification_reject(
                verification=verification, actor=request.user, reason=reason
            ),
        )


@admin.register(ShopEvent)
class ShopEventAdmin(RecordAdmin):
    list_display = ["created_at", "shop", "action", "old_status", "new_status", "actor", "note"]
    list_filter = ["action"]
    list_select_related = ["shop", "actor"]
    search_fields = ["shop__name", "shop__slug", "actor__email", "note"]
    date_hierarchy = "created_at"


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "shop", "created_at"]
    list_filter = ["shop__region", "shop__status"]
    search_fields = ["user__email", "shop__name", "shop__slug"]
    raw_id_fields = ["user", "shop"]
    list_select_related = ["user", "shop"]


# --- Stall updates: the moderators' queue of reports ----------------------------------------------


@admin.register(UpdateReport)
class UpdateReportAdmin(RecordAdmin):
    """Reported stall updates, oldest open report first. Hide (with a reason) or keep."""

    list_display = ["update_text", "shop", "reason", "status", "reporter", "created_at"]
    list_filter = ["status", "reason"]
    list_select_related = ["update__shop", "reporter", "decided_by"]
    search_fields = ["update__text", "update__shop__name", "reporter__email", "note"]
    fields = [
        "update_text",
        "shop",
        "reason",
        "note",
        "reporter",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    readonly_fields = fields
    actions = ["hide_updates", "keep_updates"]
    view_on_site = False
    ordering = ["status", "created_at", "pk"]

    @admin.display(description=_("update"))
    def update_text(self, report):
        return report.update.text[:120]

    @admin.display(description=_("stall"))
    def shop(self, report):
        return report.update.shop

    @admin.action(
        description=_("Hide the reported updates (with a reason)"), permissions=["decide"]
    )
    def hide_updates(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Hide stall updates"),
            intro=_(
                "The updates disappear from the stall page and from followers' squares. The "
                "seller sees your reason beside the update."
            ),
            apply=lambda report, reason: update_hide(
                update=report.update, actor=request.user, reason=reason
            ),
        )

    @admin.action(description=_("Keep the reported updates"), permissions=["decide"])
    def keep_updates(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset,
            form_class=NoteForm,
            title=_("Keep stall updates"),
            intro=_("The updates stay visible; their open reports are closed."),
            apply=lambda report, note: update_keep(
                update=report.update, actor=request.user, note=note
            ),
        )


@admin.register(StallUpdate)
class StallUpdateAdmin(RecordAdmin):
    list_display = ["shop", "text", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["shop"]
    search_fields = ["text", "shop__name", "shop__slug"]
    fields = ["shop", "author", "text", "status", "hidden_reason", "created_at"]
    readonly_fields = fields
    view_on_site = False  # its URL is the seller's dashboard
