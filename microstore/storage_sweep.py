"""Files that no row names any more, found by listing a storage directory and deleted.

They come from a transaction that saved a file and then rolled back (an upload whose form
failed further on), or from a row deleted while deleting its file failed. A file is judged
only once it is older than ``ORPHAN_AFTER``: a transaction that saved it a moment ago may
still be about to store the row that names it.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from itertools import batched

from django.utils import timezone

logger = logging.getLogger(__name__)

ORPHAN_AFTER = timedelta(hours=1)
BATCH = 500


def sweep_orphans(
    *,
    storage,
    directory: str,
    named: Callable[[list[str]], Iterable[str]],
    now=None,
    older_than: timedelta = ORPHAN_AFTER,
) -> int:
    """Delete the files directly in ``directory`` of ``storage`` that no row names and that
    are older than ``older_than``; the number deleted. ``named`` gets a batch of file names
    (``directory/file``) and returns those some row still names: one query per batch."""
    now = now or timezone.now()
    try:
        _dirs, files = storage.listdir(directory)
    except FileNotFoundError:
        return 0
    deleted = 0
    for batch in batched((f"{directory}/{file}" for file in sorted(files)), BATCH):
        kept = set(named(list(batch)))
        for name in batch:
            if name in kept:
                continue
            try:
                if storage.get_modified_time(name) > now - older_than:
                    continue
                storage.delete(name)
            except OSError:
                logger.warning("Could not sweep %s", name, exc_info=True)
                continue
            deleted += 1
    return deleted
