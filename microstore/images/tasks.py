"""The image tasks: thin, idempotent."""

import logging
import random

from celery import shared_task
from django.db import InterfaceError, OperationalError

from microstore.images import pipeline, services
from microstore.images.models import Image

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
# Worth another try later: the storage or the database connection is having a bad moment.
TRANSIENT_ERRORS = (OSError, OperationalError, InterfaceError)


def backoff(retries: int) -> float:
    """10 s, 20 s, 40 s, 80 s, 160 s, with up to 25 % jitter so retries do not march in step."""
    delay = 10 * 2**retries
    return delay + random.uniform(0, delay / 4)  # noqa: S311 -- jitter, not security


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def process_image(self, *, image_id: str, force: bool = False):
    """Make an image's renditions. Storage and database-connection errors are retried with
    backoff; an original that cannot be processed, or trouble that outlasts the retries, marks
    the image failed and tells its owner."""
    try:
        services.image_process(image_id=image_id, force=force)
    except Image.DoesNotExist:
        return "gone"  # deleted before we got to it: nothing to do
    except pipeline.PipelineError as exc:
        logger.warning("Image %s cannot be processed: %s", image_id, exc)
        services.image_fail(image_id=image_id, reason=services.REASON_UNREADABLE, error=str(exc))
        return "failed"
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            logger.error("Image %s failed after %s retries: %r", image_id, self.max_retries, exc)
            services.image_fail(image_id=image_id, reason=services.REASON_STORAGE, error=repr(exc))
            return "failed"
        logger.warning("Image %s: transient error, retrying: %r", image_id, exc)
        retry = self.retry(exc=exc, countdown=backoff(self.request.retries), throw=False)
        if self.request.is_eager:
            # No broker (tests; `make run` without Redis): Celery runs a retry that the task
            # returns at once, in-process; a raised one would end the run as an error instead.
            return retry
        raise retry from exc
    except Exception as exc:
        # A bug of ours: the owner must not wait forever; the traceback goes to the logs.
        services.image_fail(image_id=image_id, reason=services.REASON_UNREADABLE, error=repr(exc))
        raise
    return "ready"


@shared_task
def sweep_orphan_originals() -> int:
    """Beat, nightly: uploaded originals no image names (their transaction rolled back)."""
    return services.images_sweep_orphans()
