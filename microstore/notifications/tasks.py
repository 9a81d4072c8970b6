"""Delivery tasks: thin, idempotent, primitive arguments; the work is in ``services``."""

from celery import shared_task

from microstore.notifications import services


@shared_task(bind=True, max_retries=None)
def send_outgoing_email(self, *, email_id: int) -> str:
    """Send one outbox row. While the mail server is unreachable it is retried with backoff;
    the row counts the attempts (``services.MAX_ATTEMPTS``) and ends as failed.

    Without a broker (tasks run in-process) there is no waiting: the row stays pending with its
    error and ``sweep_outgoing_email`` tries again later.
    """
    try:
        return services.outgoing_email_send(email_id=email_id)
    except services.TransientEmailError as exc:
        if self.request.is_eager:
            return "retry"
        raise self.retry(countdown=exc.retry_in, exc=exc) from exc


@shared_task
def sweep_outgoing_email() -> int:
    """Beat, every minute: re-enqueue mail whose task was lost (see the service's docstring)."""
    return services.outgoing_email_sweep()
