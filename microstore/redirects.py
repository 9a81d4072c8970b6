"""Where a "come back here" address may send someone: this site only."""

from django.utils.http import url_has_allowed_host_and_scheme


def same_site(request, url: str, default: str = "") -> str:
    """``url`` if it leads somewhere on this site (so redirecting to it is safe), else
    ``default``: a ``next`` or ``Referer`` pointing elsewhere is never followed."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default
