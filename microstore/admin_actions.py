"""Admin pieces every app uses: actions that ask for a reason (or a note) on an intermediate
page before they act, and read-only inlines for history and audit rows.

Moderation goes through services, so each selected row is handed to ``apply(obj, text)``;
a ``DomainError`` is reported for that row and the others still go through.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from microstore.errors import DomainError


def confirm_action(
    modeladmin: admin.ModelAdmin,
    request,
    queryset,
    *,
    form_class,
    title: str,
    intro: str,
    apply: Callable,
    done_message: Callable[[int], str] | None = None,
):
    """Show the page (first POST), re-show it with the form's errors (400), or apply."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        text = next(iter(form.cleaned_data.values()), "")
        done = 0
        for obj in queryset:
            try:
                apply(obj, text)
            except DomainError as exc:
                modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
            else:
                done += 1
                modeladmin.log_change(request, obj, f"{title}: {text}".strip(": "))
        if done:
            message = (
                done_message(done)
                if done_message
                else ngettext("%(count)d done: %(title)s.", "%(count)d done: %(title)s.", done)
                % {"count": done, "title": title}
            )
            modeladmin.message_user(request, message, messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "queryset": queryset,
        "form": form,
        "action": request.POST.get("action", ""),
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    return TemplateResponse(
        request, "admin/reason_action.html", context, status=400 if form.is_bound else 200
    )


def reason_form(help_text, *, max_length: int = 1000) -> type[forms.Form]:
    """The form of an action that needs a reason; ``help_text`` says who reads it."""
    reason = forms.CharField(
        label=_("Reason"),
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=help_text,
    )
    return type("ReasonForm", (forms.Form,), {"reason": reason})


class NoteForm(forms.Form):
    """The form of an action that takes an optional note."""

    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RecordAdmin(admin.ModelAdmin):
    """Rows written by the services only (orders, payments, reviews, verification requests,
    audit rows): readable, never added, edited or deleted by hand. The moderators' actions on
    them need ``decide``: the model's "change" permission, though no form edits a row."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


class ReadOnlyInline(admin.TabularInline):
    """Rows shown for the record (history, timeline, payments): never added, changed or
    deleted from the admin."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
