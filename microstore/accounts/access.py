"""Who may do what. ``verified_email_required`` guards every view that buys, sells or reviews."""

from functools import wraps

from allauth.account.models import EmailAddress
from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def has_verified_email(user) -> bool:
    """True when the user's login address is confirmed. Cached on the user for the request."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_has_verified_email"):
        user._has_verified_email = EmailAddress.objects.filter(
            user=user, email__iexact=user.email, verified=True
        ).exists()
    return user._has_verified_email


def verified_email_required(view):
    """Logged-in users with a confirmed email only.

    Anonymous visitors go to the log-in page; a user whose address is not confirmed yet gets a
    403 page that says why and offers to send the confirmation mail again. Browsing is never
    guarded by this: only buying, selling and reviewing are.
    """

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_verified_email(request.user):
            return render(request, "accounts/verify_email_first.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
