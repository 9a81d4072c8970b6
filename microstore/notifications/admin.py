from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from microstore.notifications import services
from microstore.notifications.models import Notification, OutgoingEmail, Preference


class ReadListFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("yes", _("Read")), ("no", _("Unread"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is not edited by hand: rows are written by the services only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "read_at"]
    list_filter = ["kind", ReadListFilter, "created_at"]
    search_fields = ["recipient__email", "recipient__display_name", "kind"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "public_id",
        "recipient",
        "kind",
        "context",
        "target_url",
        "actor",
        "created_at",
        "read_at",
    ]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to", "subject", "kind", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [
        "to",
        "from_email",
        "subject",
        "kind",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "notification",
        "headers",
        "body_text",
        "body_html",
    ]

    @admin.action(description=_("Retry failed emails now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        count = services.outgoing_email_retry(
            email_ids=queryset.values_list("pk", flat=True), actor=request.user
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d failed email will be sent again.",
                "%(count)d failed emails will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    def has_retry_permission(self, request) -> bool:
        # The change permission, though the rows themselves cannot be edited by hand.
        return request.user.has_perm("notifications.change_outgoingemail")


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "channel", "enabled", "updated_at"]
    list_filter = ["kind", "channel", "enabled"]
    search_fields = ["user__email", "kind"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
