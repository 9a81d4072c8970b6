"""Platform tasks: thin, idempotent, primitive arguments.

Mail is sent from the outbox by ``microstore.notifications.tasks.send_outgoing_email``.
"""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task
def clear_expired_sessions() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
