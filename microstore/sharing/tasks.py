"""The poster tasks: thin, idempotent."""

from celery import shared_task

from microstore.sharing import services


@shared_task(acks_late=True)
def make_share_poster(*, poster_id: int) -> str:
    """Draw a share poster (see ``services.poster_make``)."""
    poster = services.poster_make(poster_id=poster_id)
    return poster.status if poster is not None else "gone"


@shared_task
def sweep_orphan_posters() -> int:
    """Beat, nightly: poster files whose link is gone are deleted."""
    return services.posters_sweep_orphans()
