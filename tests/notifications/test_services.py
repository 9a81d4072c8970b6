"""notify(): what a user gets, in the app and by mail, and how the outbox delivers it."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.translation import gettext_lazy

from microstore.errors import DomainError
from microstore.notifications import notify
from microstore.notifications.kinds import Channel, UnknownKind, get_kind
from microstore.notifications.models import Notification, OutgoingEmail, Preference
from microstore.notifications.selectors import channel_enabled
from microstore.notifications.services import (
    MAX_ATTEMPTS,
    outgoing_email_create,
    outgoing_email_retry,
    outgoing_email_send,
    outgoing_email_sweep,
    preference_set,
)
from microstore.notifications.tasks import send_outgoing_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHOTO_FAILED = {"purpose_label": "Stall logo", "reason": "The file was damaged."}


def notify_committed(capture, **kwargs):
    """notify() as a view calls it: the transaction commits, then the queued mail is sent."""
    with capture(execute=True):
        return notify(**kwargs)


# --- notify --------------------------------------------------------------------------------


def test_notify_stores_the_notification_and_mails_text_and_html(
    owner, target, django_capture_on_commit_callbacks
):
    notification = notify_committed(
        django_capture_on_commit_callbacks,
        recipient=owner,
        kind="images.failed",
        context=PHOTO_FAILED,
        target=target,
    )

    assert notification.recipient == owner
    assert notification.target_url == "/cart/"
    assert notification.read_at is None
    assert "Stall logo" in notification.message and "damaged" in notification.message
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert message.subject == "A photo could not be processed"  # gettext, English here
    assert "Your photo for “Stall logo” could not be processed" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "Your photo for “Stall logo” could not be processed" in html
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts, email.notification) == ("sent", 1, notification)


def test_the_mail_links_back_to_the_target_and_to_the_settings(
    owner, target, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://shop.example.com"

    notify_committed(
        django_capture_on_commit_callbacks,
        recipient=owner,
        kind="images.failed",
        context=PHOTO_FAILED,
        target=target,
    )

    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert "https://shop.example.com/cart/" in message.body
    assert 'href="https://shop.example.com/cart/"' in html
    assert "https://shop.example.com/notifications/settings/" in message.body
    assert "https://shop.example.com/notifications/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<https://shop.example.com/notifications/unsubscribe/"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_without_a_target_the_mail_links_to_the_notifications(
    owner, django_capture_on_commit_callbacks
):
    notify_committed(
        django_capture_on_commit_callbacks,
        recipient=owner,
        kind="images.failed",
        context=PHOTO_FAILED,
    )

    assert "http://127.0.0.1:8000/notifications/" in mail.outbox[0].body


def test_what_people_wrote_is_escaped_in_the_list_and_the_html_mail(
    owner, django_capture_on_commit_callbacks
):
    context = {"purpose_label": "<b>logo</b>", "reason": "<script>alert(1)</script>"}

    notification = notify_committed(
        django_capture_on_commit_callbacks, recipient=owner, kind="images.failed", context=context
    )

    html = mail.outbox[0].alternatives[0][0]
    for text in (notification.message, html):
        assert "<script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>alert(1)</script>" in mail.outbox[0].body  # plain text stays plain


def test_nothing_is_sent_until_the_transaction_commits(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        notify(recipient=owner, kind="images.failed", context=PHOTO_FAILED)
        assert OutgoingEmail.objects.get().status == "pending"

    assert mail.outbox == []
    assert len(callbacks) == 1


def test_the_context_must_be_json_safe_and_lazy_text_is_stored_as_text(owner):
    with pytest.raises(TypeError, match="JSON-safe"):
        notify(recipient=owner, kind="images.failed", context={"when": object()})

    notification = notify(
        recipient=owner,
        kind="images.failed",
        context={"purpose_label": gettext_lazy("Stall logo"), "reason": "x"},
    )

    notification.refresh_from_db()
    assert notification.context == {"purpose_label": "Stall logo", "reason": "x"}


def test_an_unknown_kind_is_a_programming_error(owner):
    with pytest.raises(UnknownKind, match=r"orders\.teleported"):
        notify(recipient=owner, kind="orders.teleported")

    assert not Notification.objects.exists()


def test_an_unconfirmed_address_gets_the_notification_but_no_mail(
    django_capture_on_commit_callbacks,
):
    newcomer = UserFactory(verified=False)

    notification = notify_committed(
        django_capture_on_commit_callbacks,
        recipient=newcomer,
        kind="images.failed",
        context=PHOTO_FAILED,
    )

    assert notification is not None
    assert mail.outbox == []
    assert not OutgoingEmail.objects.exists()


# --- Preferences ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "web", "email"),
    [("account.welcome", True, True), ("images.failed", True, True), ("square.news", False, False)],
)
def test_sensible_defaults(owner, kind, web, email):
    spec = get_kind(kind)

    assert channel_enabled(user=owner, kind=spec, channel=Channel.WEB) is web
    assert channel_enabled(user=owner, kind=spec, channel=Channel.EMAIL) is email


def test_switching_email_off_keeps_the_in_app_notification(
    owner, django_capture_on_commit_callbacks
):
    preference_set(user=owner, kind="images.failed", channel="email", enabled=False, actor=owner)

    notification = notify_committed(
        django_capture_on_commit_callbacks,
        recipient=owner,
        kind="images.failed",
        context=PHOTO_FAILED,
    )

    assert Notification.objects.filter(pk=notification.pk).exists()
    assert mail.outbox == []


def test_marketing_reaches_only_people_who_opted_in(
    owner, buyer, django_capture_on_commit_callbacks
):
    for channel in ("web", "email"):
        preference_set(user=buyer, kind="square.news", channel=channel, enabled=True, actor=buyer)
    news = {"headline": "Spring tea has arrived", "summary": "Fresh from Anxi."}

    for person in (owner, buyer):
        notify_committed(
            django_capture_on_commit_callbacks, recipient=person, kind="square.news", context=news
        )

    assert list(Notification.objects.values_list("recipient", flat=True)) == [buyer.pk]
    assert [m.to for m in mail.outbox] == [[buyer.email]]
    assert mail.outbox[0].subject == "Spring tea has arrived"


def test_switching_off_the_site_too_leaves_no_trace(owner, django_capture_on_commit_callbacks):
    for channel in ("web", "email"):
        preference_set(user=owner, kind="images.failed", channel=channel, enabled=False, actor=None)

    result = notify_committed(
        django_capture_on_commit_callbacks,
        recipient=owner,
        kind="images.failed",
        context=PHOTO_FAILED,
    )

    assert result is None
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_essential_kinds_cannot_be_switched_off(
    owner, essential_kind, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError, match="cannot be switched off"):
        preference_set(user=owner, kind="test.receipt", channel="email", enabled=False, actor=None)
    # Even a row that says otherwise (written before the kind became essential) is ignored.
    Preference.objects.create(user=owner, kind="test.receipt", channel="email", enabled=False)

    notify_committed(
        django_capture_on_commit_callbacks,
        recipient=owner,
        kind="test.receipt",
        context={"order": "MS-1001"},
    )

    message = mail.outbox[0]
    assert message.subject == "Receipt for MS-1001"
    assert "unsubscribe" not in message.body.lower()
    assert "List-Unsubscribe" not in message.extra_headers


# --- The outbox ----------------------------------------------------------------------------


def mail_fields(**overrides) -> dict:
    return {
        "to": "mei@example.com",
        "subject": "Hi",
        "body_text": "Hello",
        "kind": "test",
    } | overrides


@pytest.fixture
def queued_email(django_capture_on_commit_callbacks):
    """Put a mail in the outbox and commit: its task runs (eagerly, in these tests)."""

    def queue(**overrides) -> OutgoingEmail:
        with django_capture_on_commit_callbacks(execute=True):
            return outgoing_email_create(**mail_fields(**overrides))

    return queue


def test_sending_twice_or_retrying_a_sent_mail_sends_it_once(queued_email):
    email = queued_email()

    assert send_outgoing_email.delay(email_id=email.pk).get() == "skipped"
    assert outgoing_email_send(email_id=email.pk) == "skipped"

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)
    assert mail.outbox[0].extra_headers["Message-ID"] == email.headers["Message-ID"]


def sweep_later(capture) -> int:
    """A minute or more later, the beat's sweep runs."""
    OutgoingEmail.objects.exclude(status="sent").update(
        next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    with capture(execute=True):
        return outgoing_email_sweep()


def test_a_mail_server_hiccup_is_retried_and_the_mail_sent_once(
    flaky_smtp, queued_email, django_capture_on_commit_callbacks
):
    flaky_smtp.failures = 1

    email = queued_email()
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("pending", 1)
    assert "SMTPServerDisconnected" in email.last_error
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=20)  # backing off
    assert mail.outbox == []

    assert sweep_later(django_capture_on_commit_callbacks) == 1
    assert sweep_later(django_capture_on_commit_callbacks) == 0

    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


def test_a_mail_server_that_stays_down_ends_in_failed(
    flaky_smtp, queued_email, django_capture_on_commit_callbacks
):
    flaky_smtp.failures = 100

    email = queued_email()
    while sweep_later(django_capture_on_commit_callbacks):
        pass

    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", MAX_ATTEMPTS)
    assert "SMTPServerDisconnected" in email.last_error
    assert mail.outbox == []


def test_an_address_the_server_refuses_fails_at_once(flaky_smtp, queued_email):
    flaky_smtp.failures = 1
    flaky_smtp.error = smtplib.SMTPRecipientsRefused({"x@x.cn": (550, b"no such user")})

    email = queued_email(to="x@x.cn")

    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 1)


def test_the_sweep_sends_what_was_left_behind_and_nothing_twice(django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks():  # their tasks are lost: never run
        left_behind, fresh, stuck, done = (
            outgoing_email_create(**mail_fields(subject=subject))
            for subject in ("Left behind", "Fresh", "Stuck", "Done")
        )
    OutgoingEmail.objects.filter(pk=left_behind.pk).update(
        next_attempt_at=now - timedelta(minutes=2)
    )
    OutgoingEmail.objects.filter(pk=stuck.pk).update(
        status="sending", attempts=1, claimed_at=now - timedelta(minutes=20)
    )
    OutgoingEmail.objects.filter(pk=done.pk).update(
        status="sent", next_attempt_at=now - timedelta(hours=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert outgoing_email_sweep() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert outgoing_email_sweep() == 0  # a minute has not passed

    assert sorted(m.subject for m in mail.outbox) == ["Left behind", "Stuck"]
    fresh.refresh_from_db()
    assert fresh.status == "pending"  # its own task is still on its way


def test_a_mail_stuck_with_no_attempts_left_is_marked_failed():
    email = OutgoingEmail.objects.create(
        to="a@x.cn",
        subject="S",
        body_text="b",
        kind="test",
        status="sending",
        attempts=MAX_ATTEMPTS,
        claimed_at=timezone.now() - timedelta(hours=1),
    )

    assert outgoing_email_sweep() == 0

    email.refresh_from_db()
    assert email.status == "failed"
    assert mail.outbox == []


def test_an_admin_retry_sends_a_failed_mail_again(
    admin_user, flaky_smtp, queued_email, django_capture_on_commit_callbacks
):
    failed = OutgoingEmail.objects.create(**mail_fields(), status="failed", attempts=MAX_ATTEMPTS)
    sent = OutgoingEmail.objects.create(**mail_fields(to="other@x.cn"), status="sent", attempts=1)

    with django_capture_on_commit_callbacks(execute=True):
        assert outgoing_email_retry(email_ids=[failed.pk, sent.pk], actor=admin_user) == 1

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 1)
    assert [m.to for m in mail.outbox] == [["mei@example.com"]]
