"""Stall tasks: thin, idempotent; the work is in the services."""

from celery import shared_task

from microstore.queue import enqueue_on_commit
from shops.digest import digest_batches, digest_send_batch


@shared_task
def send_weekly_digests() -> int:
    """Beat, Monday mornings: one ``send_digest_batch`` task per batch of opted-in users
    (shops/digest.py), so the workers share the week's digests. Running it twice sends nothing
    more: each digest covers what happened since the last one. Returns the number of batches."""
    batches = digest_batches()
    for first_pk, last_pk in batches:
        enqueue_on_commit(send_digest_batch, first_pk=first_pk, last_pk=last_pk)
    return len(batches)


@shared_task(acks_late=True)
def send_digest_batch(*, first_pk: int, last_pk: int) -> dict[str, int]:
    """The weekly digests of one batch of opted-in users."""
    return digest_send_batch(first_pk=first_pk, last_pk=last_pk)
