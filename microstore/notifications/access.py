"""Ownership look-ups: a notification is its recipient's alone; anyone else gets a 404."""

from django.http import Http404

from microstore.notifications.models import Notification


def get_notification_for_user(user, public_id) -> Notification:
    try:
        return Notification.objects.get(recipient=user, public_id=public_id)
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None
