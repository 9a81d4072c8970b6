"""Stall tasks: thin, idempotent; the work is in the services."""

from celery import shared_task

from shops.digest import digest_send_all


@shared_task
def send_weekly_digests() -> dict[str, int]:
    """Beat, Monday mornings: every opted-in user's weekly digest (shops/digest.py). Running
    it twice sends nothing more: each digest covers what happened since the last one."""
    return digest_send_all()
