"""Ownership look-ups for the sharing pages: someone else's link is a 404, like a missing one."""

from django.http import Http404

from microstore.sharing.models import ShareLink
from microstore.sharing.selectors import share_link_of


def get_share_link_for_user(user, code: str) -> ShareLink:
    link = share_link_of(user, code) if user.is_authenticated else None
    if link is None:
        raise Http404
    return link
