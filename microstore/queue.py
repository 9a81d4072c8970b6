"""The one way to enqueue a Celery task: after the surrounding transaction commits.

A task enqueued inside an open transaction can run before the rows it needs are visible,
or after they were rolled back. ``enqueue_on_commit`` calls ``task.delay`` only once the
transaction commits (at once outside a transaction), with primitive keyword arguments.

The callback is *robust*: if the broker is down when the transaction commits, the error is
logged and the request still succeeds. Work that must never be lost is written as a database
row first (an outbox) and swept by a periodic task, not trusted to this call alone.
"""

from functools import partial

from celery import Task
from django.db import transaction


def enqueue_on_commit(task: Task, /, *, countdown: int | None = None, **kwargs) -> None:
    """``task(**kwargs)`` once the transaction commits; ``countdown`` seconds later if given
    (ignored when Celery runs tasks eagerly, as without a broker)."""
    if countdown is None:
        send = partial(task.delay, **kwargs)
    else:
        send = partial(task.apply_async, kwargs=kwargs, countdown=countdown)
    transaction.on_commit(send, robust=True)
