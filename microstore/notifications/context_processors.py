from django.utils.functional import cached_property

from microstore.notifications.selectors import unread_count


class UnreadNotifications:
    """The header bell's count, counted only if a template asks: anonymous pages pay no query,
    logged-in pages exactly one however often the template reads it."""

    def __init__(self, request):
        self._request = request

    @cached_property
    def count(self) -> int:
        user = getattr(self._request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return unread_count(user=user)


def notifications(request) -> dict:
    return {"unread_notifications": UnreadNotifications(request)}
