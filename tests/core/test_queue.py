"""Tasks are enqueued after commit, and a real worker runs them over the real broker."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import transaction
from django.utils import timezone

from microstore.notifications.services import outgoing_email_create
from microstore.queue import enqueue_on_commit
from microstore.tasks import clear_expired_sessions


def expired_session():
    store = SessionStore()
    store["cart"] = "old"
    store.create()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    return store.session_key


@pytest.mark.django_db
def test_nothing_is_enqueued_until_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        # Mail goes through the outbox, which enqueues its sending task with enqueue_on_commit.
        outgoing_email_create(to="b@x.cn", subject="Hi", body_text="Welcome", kind="test")
        assert mail.outbox == []

    assert len(callbacks) == 1
    callbacks[0]()
    assert mail.outbox[0].subject == "Hi"


@pytest.mark.django_db
def test_a_rolled_back_transaction_enqueues_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_on_commit(clear_expired_sessions)
        raise RuntimeError("rolled back")

    assert callbacks == []


@pytest.mark.django_db
def test_sent_mail_keeps_the_html_version(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outgoing_email_create(
            to="b@x.cn", subject="S", body_text="text", body_html="<p>html</p>", kind="test"
        )

    assert mail.outbox[0].body == "text"
    assert mail.outbox[0].alternatives[0][0] == "<p>html</p>"


@pytest.mark.redis
def test_a_real_worker_runs_an_enqueued_task_after_commit(running_worker):
    key = expired_session()
    broker = running_worker.connection_for_write().default_channel.client

    with transaction.atomic():
        enqueue_on_commit(clear_expired_sessions)
        assert broker.llen(running_worker.conf.task_default_queue) == 0  # not before commit

    deadline = time.monotonic() + 20
    while Session.objects.filter(pk=key).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Session.objects.filter(pk=key).exists(), "the worker did not run the task"
