"""Reviews tasks: thin, idempotent, primitive arguments; the work is in ``reviews.trust``."""

from celery import shared_task
from django.db import OperationalError

from reviews import trust


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def trust_recompute_shop(*, shop_id: int) -> int | None:
    """One stall's trust score, after the events that change it (debounced by
    ``reviews.trust.trust_changed``)."""
    score = trust.trust_recompute(shop_id=shop_id)
    return score.score if score else None


@shared_task
def trust_recompute_all() -> int:
    """Beat, nightly: every stall's trust score, in batches (badges expire, windows slide)."""
    return trust.trust_recompute_all()
