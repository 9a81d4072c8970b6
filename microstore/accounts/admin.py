"""People, and banning abusers with an audit trail.

``is_active`` changes only through the "Ban" and "Restore" actions, which call the services
(``user_ban`` / ``user_unban``): every change has a reason, an ``AccountEvent`` and an email.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from microstore.accounts import services
from microstore.accounts.forms import AdminChangeForm, AdminCreationForm
from microstore.accounts.models import AccountEvent, User
from microstore.admin_actions import ReadOnlyInline, confirm_action, reason_form

BAN_ACTIONS = ("ban_users", "restore_users")


# A ban's or a restore's reason: the member reads it, and it stays in the account's history.
AccountReasonForm = reason_form(
    _("The member reads this in the email; it stays in the account's history.")
)


class AccountEventInline(ReadOnlyInline):
    model = AccountEvent
    fk_name = "user"
    fields = ["created_at", "action", "actor", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("bans and restorations")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("actor", "user")
            .order_by("-created_at", "-pk")
        )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AdminChangeForm
    add_form = AdminCreationForm
    ordering = ["-date_joined"]
    list_display = ["email", "display_name", "banned", "is_staff", "date_joined", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "date_joined", "groups"]
    search_fields = ["email", "display_name"]
    # "active" changes only through the ban and restore actions (reason, history, email).
    readonly_fields = ["is_active", "date_joined", "last_login"]
    inlines = [AccountEventInline]
    actions = list(BAN_ACTIONS)
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["display_name"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "display_name", "usable_password", "password1", "password2"],
            },
        ),
    ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    @admin.display(boolean=True, description=_("banned"), ordering="is_active")
    def banned(self, user):
        return not user.is_active

    def changelist_view(self, request, extra_context=None):
        # The actions are not offered without the "change user" permission; a forged POST
        # is refused outright rather than told "no action selected".
        if (
            request.method == "POST"
            and request.POST.get("action") in BAN_ACTIONS
            and not self.has_change_permission(request)
        ):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Ban these accounts…"), permissions=["change"])
    def ban_users(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset.filter(is_active=True),
            form_class=AccountReasonForm,
            title=_("Ban accounts"),
            intro=_(
                "The members are emailed your reason and how to appeal, then cannot log in any "
                "more (open sessions end with their next click). Every stall they own is "
                "suspended: off the square, its orders still reachable."
            ),
            apply=lambda user, reason: services.user_ban(
                user=user, actor=request.user, reason=reason
            ),
            done_message=lambda count: (
                ngettext(
                    "%(count)d account banned; its stalls are suspended.",
                    "%(count)d accounts banned; their stalls are suspended.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(description=_("Restore these accounts…"), permissions=["change"])
    def restore_users(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset.filter(is_active=False),
            form_class=AccountReasonForm,
            title=_("Restore accounts"),
            intro=_(
                "The members can log in again and are emailed your reason. Their stalls stay "
                'suspended: reinstate them from "Stalls" once you have looked at them.'
            ),
            apply=lambda user, reason: services.user_unban(
                user=user, actor=request.user, reason=reason
            ),
            done_message=lambda count: (
                ngettext(
                    "%(count)d account restored. Its stalls stay suspended: reinstate them from "
                    '"Stalls".',
                    "%(count)d accounts restored. Their stalls stay suspended: reinstate them from "
                    '"Stalls".',
                    count,
                )
                % {"count": count}
            ),
        )
