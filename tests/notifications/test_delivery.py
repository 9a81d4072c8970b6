"""Delivery through the real broker and a real worker: the mail arrives, once, even when Redis
was unreachable at the moment the event happened."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from microstore.notifications import notify, services
from microstore.notifications.models import Notification, OutgoingEmail
from microstore.notifications.tasks import send_outgoing_email, sweep_outgoing_email
from microstore.tasks import clear_expired_sessions
from tests.factories import UserFactory
from tests.notifications.conftest import broker_unreachable, wait_for, wait_for_mail

pytestmark = pytest.mark.redis

PHOTO_FAILED = {"purpose_label": "Stall logo", "reason": "The file was damaged."}


def drain(worker) -> None:
    """Wait until the worker has run everything enqueued so far: it runs tasks in order, so
    once a task enqueued last has run, so have the others."""
    store = SessionStore()
    store.create()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    clear_expired_sessions.delay()
    assert wait_for(lambda: not Session.objects.filter(pk=store.session_key).exists()), (
        "the worker did not get through its queue"
    )


def a_minute_later() -> None:
    OutgoingEmail.objects.exclude(status="sent").update(
        next_attempt_at=timezone.now() - timedelta(minutes=2)
    )


def test_a_real_worker_delivers_the_mail_after_commit(running_worker, owner, target):
    with transaction.atomic():
        notification = notify(
            recipient=owner, kind="images.failed", context=PHOTO_FAILED, target=target
        )

    messages = wait_for_mail(1)
    assert [m.to for m in messages] == [[owner.email]]
    assert "Stall logo" in messages[0].body
    email = OutgoingEmail.objects.get()
    assert (email.status, email.notification_id) == ("sent", notification.pk)


def test_with_the_broker_down_the_mail_waits_and_the_sweep_sends_it_once(
    running_worker, owner, target, caplog
):
    with broker_unreachable(running_worker), transaction.atomic():
        notify(recipient=owner, kind="images.failed", context=PHOTO_FAILED, target=target)
    # The commit went through; only the enqueue failed, and it was logged.
    assert "in on_commit()" in caplog.text

    assert Notification.objects.filter(recipient=owner).count() == 1
    email = OutgoingEmail.objects.get()
    assert email.status == "pending"
    drain(running_worker)
    assert mail.outbox == []

    # Redis is back. A minute later the beat's sweep runs on the worker.
    a_minute_later()
    sweep_outgoing_email.delay()
    assert len(wait_for_mail(1)) == 1

    # Sweeping again and enqueueing the mail again send nothing more.
    a_minute_later()
    sweep_outgoing_email.delay()
    send_outgoing_email.delay(email_id=email.pk)
    send_outgoing_email.delay(email_id=email.pk)
    drain(running_worker)
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)


def test_confirming_an_email_while_the_broker_is_down_still_works(running_worker, client):
    user = UserFactory(email="mei@example.com", display_name="Mei Lin", verified=False)
    key = EmailConfirmationHMAC(EmailAddress.objects.get(user=user)).key

    with broker_unreachable(running_worker):
        response = client.post(reverse("account_confirm_email", args=[key]))

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert Notification.objects.get(recipient=user).kind == "account.welcome"
    assert OutgoingEmail.objects.get().status == "pending"

    a_minute_later()
    sweep_outgoing_email.delay()
    messages = wait_for_mail(1)
    assert messages[0].subject == "Welcome to microstore"
    assert messages[0].to == ["mei@example.com"]


def test_a_real_worker_retries_a_mail_server_hiccup(running_worker, flaky_smtp, monkeypatch):
    monkeypatch.setattr(services, "BACKOFF_BASE", 0)  # retry at once rather than in 30 s
    flaky_smtp.failures = 2

    with transaction.atomic():
        email = services.outgoing_email_create(
            to="mei@example.com", subject="Hi", body_text="Hello", kind="test"
        )

    assert len(wait_for_mail(1)) == 1
    drain(running_worker)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 3)
    assert len(mail.outbox) == 1
