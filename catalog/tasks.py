"""Catalogue tasks: thin, idempotent."""

from celery import shared_task

from catalog.search import search_words_refresh


@shared_task
def refresh_search_words() -> None:
    """The "did you mean" vocabulary; schedule it hourly in CELERY_BEAT_SCHEDULE."""
    search_words_refresh()
