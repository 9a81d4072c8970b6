from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microstore.notifications import access, selectors, services
from microstore.notifications.forms import PreferencesForm
from microstore.notifications.kinds import Channel
from microstore.notifications.tokens import BadToken
from microstore.redirects import same_site

PAGE_SIZE = 20


@login_required
@require_GET
def notification_list(request):
    """The user's notifications, newest first; unread ones stand out."""
    paginator = Paginator(selectors.notifications_for(user=request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_GET
def notification_open(request, public_id):
    """Follow a notification: it is read now, and the user lands on what it is about."""
    notification = access.get_notification_for_user(request.user, public_id)
    services.notification_mark_read(notification=notification, actor=request.user)
    if same_site(request, notification.target_url):
        return redirect(notification.target_url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_read(request, public_id):
    notification = access.get_notification_for_user(request.user, public_id)
    services.notification_mark_read(notification=notification, actor=request.user)
    if request.headers.get("HX-Request"):
        # The row, read now, and the header's bell with its new count (swapped out of band).
        return render(
            request,
            "notifications/notification_list.html#mark-read-response",
            {"notification": notification},
        )
    next_url = request.POST.get("next", "")
    return redirect(same_site(request, next_url) or "notifications:list")


@login_required
@require_POST
def notification_mark_all_read(request):
    count = services.notifications_mark_all_read(user=request.user, actor=request.user)
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Which kinds of notification reach the user, on the site and by email."""
    table = selectors.preference_table(user=request.user)
    form = PreferencesForm(request.POST if request.method == "POST" else None, table=table)
    if form.is_bound and form.is_valid():
        services.preferences_update(
            user=request.user,
            enabled=form.enabled(),
            kinds=[kind for kind, _settings in table],
            actor=request.user,
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(
        request, "notifications/preferences.html", {"form": form, "channels": Channel.choices}
    )


@never_cache
@csrf_exempt  # the signed token is the authority; mail clients' one-click POSTs carry no cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """The link in every non-essential mail. No log-in: the signed token says who and what.

    GET asks for confirmation (link scanners must not unsubscribe anyone); POST switches the
    kind off on that channel. A mail client's RFC 8058 one-click POST
    (``List-Unsubscribe=One-Click``) lands here too and gets the same result.
    """
    try:
        user, kind, channel = selectors.unsubscribe_target(token=token)
    except BadToken:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    done = request.method == "POST"
    if done:
        services.preference_set(
            user=user, kind=kind.key, channel=channel, enabled=False, actor=None
        )
    return render(
        request,
        "notifications/unsubscribe.html",
        {"kind": kind, "channel": Channel(channel), "done": done, "token": token},
    )
