"""Writes: notify, preferences, read state, and the email outbox.

``notify()`` is the one call every app uses; see this package's docstring.
"""

import json
import logging
import smtplib
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from microstore.accounts.access import has_verified_email
from microstore.errors import DomainError
from microstore.notifications import tasks
from microstore.notifications.kinds import Channel, Kind, get_kind
from microstore.notifications.models import Notification, OutgoingEmail, Preference
from microstore.notifications.selectors import channel_enabled, stored_preferences
from microstore.notifications.tokens import make_unsubscribe_token
from microstore.queue import enqueue_on_commit

logger = logging.getLogger(__name__)

# Delivery: a mail gets MAX_ATTEMPTS tries, BACKOFF_BASE·2ⁿ seconds apart (capped), then fails.
MAX_ATTEMPTS = 6
BACKOFF_BASE = 30
BACKOFF_MAX = 60 * 30
# The sweep leaves fresh rows to the task enqueued on commit, and waits this long for a worker
# that claimed a row before deciding it died.
SWEEP_PENDING_AFTER = timedelta(minutes=1)
SWEEP_SENDING_AFTER = timedelta(minutes=15)
SWEEP_BATCH = 500


class TransientEmailError(Exception):
    """Sending failed for a reason that may pass (mail server down); try again in ``retry_in``."""

    def __init__(self, message: str, *, retry_in: int):
        super().__init__(message)
        self.retry_in = retry_in


# --- notify -----------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    """``path`` on the public site (``settings.SITE_URL``), for links in mail."""
    if urlsplit(path).scheme:
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def _json_safe(context: dict) -> dict:
    """The context as it will be stored: JSON primitives only (lazy strings become text)."""
    if not isinstance(context, dict):
        raise TypeError(f"notify(context=...) must be a dict, not {type(context).__name__}.")
    try:
        return json.loads(json.dumps(context, cls=DjangoJSONEncoder))
    except TypeError as exc:
        raise TypeError(f"notify(context=...) must hold JSON-safe values only: {exc}") from None


@transaction.atomic
def notify(
    *, recipient, kind: str, context: dict | None = None, target=None, actor=None
) -> Notification | None:
    """Tell ``recipient`` that something of ``kind`` happened.

    Writes the in-app notification (unless the user switched that channel off for this kind)
    and, if the user gets this kind by email and has a confirmed address, renders the email now
    and stores it in the outbox; a worker sends it once the surrounding transaction commits.
    ``target`` is anything with ``get_absolute_url()`` (the list and the mail link to it).
    Returns the notification, or None when the user hears about this kind on no in-app channel.
    """
    spec = get_kind(kind)  # an unknown kind is a programming error: fail loudly
    context = _json_safe(context or {})
    if spec.staff_only and not recipient.is_staff:
        return None  # moderators' work is for staff: someone who left the team hears nothing
    target_url = target.get_absolute_url() if target is not None else ""
    stored = stored_preferences(user=recipient)

    notification = None
    if channel_enabled(user=recipient, kind=spec, channel=Channel.WEB, stored=stored):
        notification = Notification.objects.create(
            recipient=recipient, kind=spec.key, context=context, target_url=target_url, actor=actor
        )

    wants_email = channel_enabled(user=recipient, kind=spec, channel=Channel.EMAIL, stored=stored)
    if wants_email and recipient.is_active and has_verified_email(recipient):
        rendered = render_notification_email(
            recipient=recipient, kind=spec, context=context, target_url=target_url
        )
        outgoing_email_create(
            to=recipient.email, kind=spec.key, notification=notification, **rendered
        )
    return notification


def render_notification_email(*, recipient, kind: Kind, context: dict, target_url: str) -> dict:
    """Subject, text, HTML and headers of ``kind``'s mail to ``recipient``.

    Rendered in ``settings.LANGUAGE_CODE``: people have no language of their own yet.
    """
    unsubscribe_url = ""
    headers = {}
    if not kind.essential:
        token = make_unsubscribe_token(user_id=recipient.pk, kind=kind.key, channel=Channel.EMAIL)
        unsubscribe_url = absolute_url(reverse("notifications:unsubscribe", args=[token]))
        # RFC 2369 and RFC 8058: mail clients offer a one-click "unsubscribe" button.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    values = {
        "recipient": recipient,
        "kind": kind,
        "context": context,
        "site_url": absolute_url("/"),
        "link_url": absolute_url(target_url or reverse("notifications:list")),
        "settings_url": absolute_url(reverse("notifications:preferences")),
        "unsubscribe_url": unsubscribe_url,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{kind.key}.subject.txt", values)
        body_text = render_to_string(f"emails/{kind.key}.txt", values)
        body_html = render_to_string(f"emails/{kind.key}.html", values)
    return {
        "subject": " ".join(subject.split()),
        "body_text": body_text.strip() + "\n",
        "body_html": body_html.strip() + "\n",
        "headers": headers,
    }


# --- The outbox -------------------------------------------------------------------------------


@transaction.atomic
def outgoing_email_create(
    *,
    to: str,
    subject: str,
    body_text: str,
    kind: str,
    body_html: str = "",
    headers: dict | None = None,
    from_email: str = "",
    notification: Notification | None = None,
) -> OutgoingEmail:
    """Store a mail in the outbox and have it sent once the transaction commits.

    Every mail microstore sends goes through here (allauth's account mail too), so none is lost
    when the broker or the mail server is down: the row waits and the sweep sends it later.
    """
    headers = dict(headers or {})
    # A stable Message-ID: if a crash makes us send twice, mail clients can still tell.
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    headers.setdefault("Message-ID", make_msgid(domain=domain))
    email = OutgoingEmail.objects.create(
        to=to,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        subject=subject[: OutgoingEmail._meta.get_field("subject").max_length],
        body_text=body_text,
        body_html=body_html,
        headers=headers,
        kind=kind,
        notification=notification,
    )
    enqueue_on_commit(tasks.send_outgoing_email, email_id=email.pk)
    return email


def _backoff(attempts: int) -> int:
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:2000]


def _move(rows, *, from_: tuple[str, ...], to: str, **fields) -> int:
    """Move the ``rows`` that are in one of the ``from_`` states to ``to``, in one conditional
    UPDATE (so two workers can never both make the same move); return how many moved."""
    for state in from_:
        if to not in OutgoingEmail.TRANSITIONS[state]:
            raise ValueError(f"An outgoing email cannot go from {state} to {to}.")
    return rows.filter(status__in=from_).update(status=to, **fields)


def outgoing_email_send(*, email_id: int) -> str:
    """Send one outbox row, at most once however often it is called.

    Claims the row with one conditional UPDATE (pending → sending); a row that is already being
    sent, sent or failed is left alone. The mail server is talked to outside any transaction.
    Returns "sent", "skipped" or "failed"; raises ``TransientEmailError`` when it should be
    tried again later (the row is pending again by then).
    """
    Status = OutgoingEmail.Status
    row = OutgoingEmail.objects.filter(pk=email_id)
    claimed = _move(
        row,
        from_=(Status.PENDING,),
        to=Status.SENDING,
        claimed_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "skipped"
    email = row.get()
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=email.from_email,
        to=[email.to],
        headers=email.headers,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")

    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        # The server will never take this address: trying again would not help.
        _move(row, from_=(Status.SENDING,), to=Status.FAILED, last_error=_describe(exc))
        logger.warning("Outgoing email %s refused for good: %s", email_id, exc)
        return "failed"
    except (smtplib.SMTPException, OSError) as exc:
        if email.attempts >= MAX_ATTEMPTS:
            _move(row, from_=(Status.SENDING,), to=Status.FAILED, last_error=_describe(exc))
            logger.error("Outgoing email %s failed after %s attempts", email_id, email.attempts)
            return "failed"
        retry_in = _backoff(email.attempts)
        _move(
            row,
            from_=(Status.SENDING,),
            to=Status.PENDING,
            last_error=_describe(exc),
            next_attempt_at=timezone.now() + timedelta(seconds=retry_in),
        )
        raise TransientEmailError(_describe(exc), retry_in=retry_in) from exc
    except Exception as exc:
        # A bug, not the mail server: park the row where an admin sees it, and shout.
        _move(row, from_=(Status.SENDING,), to=Status.FAILED, last_error=_describe(exc))
        raise
    # Sent; from pending too, in case a sweep gave up on this slow worker meanwhile: that
    # stops a second copy unless another worker has claimed the row already.
    _move(
        row,
        from_=(Status.SENDING, Status.PENDING),
        to=Status.SENT,
        sent_at=timezone.now(),
        last_error="",
    )
    return "sent"


@transaction.atomic
def outgoing_email_sweep(*, now=None) -> int:
    """Re-enqueue mail whose task was lost; return how many rows were enqueued.

    Two cases: *pending* rows due more than ``SWEEP_PENDING_AFTER`` ago (the broker was down
    when they were enqueued, or a retry message was lost), and *sending* rows claimed more than
    ``SWEEP_SENDING_AFTER`` ago (the worker died mid-send; they go back to pending, or to failed
    once out of attempts).

    Delivery is at-least-once: a worker that really did hand the mail to the server but died
    before marking it sent (or took longer than ``SWEEP_SENDING_AFTER``) leads to a second copy.
    Everything else — retries, double enqueues, sweeps racing workers — sends exactly once,
    because only the conditional claim in ``outgoing_email_send`` lets a send happen.
    """
    now = now or timezone.now()
    Status = OutgoingEmail.Status
    stuck = OutgoingEmail.objects.filter(claimed_at__lt=now - SWEEP_SENDING_AFTER)
    _move(
        stuck.filter(attempts__gte=MAX_ATTEMPTS),
        from_=(Status.SENDING,),
        to=Status.FAILED,
        last_error="The worker sending it stopped, and no attempts are left.",
    )
    _move(
        stuck,
        from_=(Status.SENDING,),
        to=Status.PENDING,
        next_attempt_at=now - SWEEP_PENDING_AFTER,  # due in this very sweep
        last_error="The worker sending it stopped; sending again.",
    )
    due = list(
        OutgoingEmail.objects.filter(
            status=Status.PENDING, next_attempt_at__lte=now - SWEEP_PENDING_AFTER
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    # Not due again for another SWEEP_PENDING_AFTER, so a slow queue is not flooded with copies.
    OutgoingEmail.objects.filter(pk__in=due, status=Status.PENDING).update(next_attempt_at=now)
    for pk in due:
        enqueue_on_commit(tasks.send_outgoing_email, email_id=pk)
    if due:
        logger.info("Sweep re-enqueued %s outgoing email(s)", len(due))
    return len(due)


@transaction.atomic
def outgoing_email_retry(*, email_ids, actor) -> int:
    """An admin's "retry now": failed mail gets a fresh set of attempts, right away."""
    Status = OutgoingEmail.Status
    ids = list(
        OutgoingEmail.objects.select_for_update()
        .filter(pk__in=list(email_ids), status=Status.FAILED)
        .values_list("pk", flat=True)
    )
    _move(
        OutgoingEmail.objects.filter(pk__in=ids),
        from_=(Status.FAILED,),
        to=Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
    )
    for pk in ids:
        enqueue_on_commit(tasks.send_outgoing_email, email_id=pk)
    logger.info("%s retried %s outgoing email(s)", actor, len(ids))
    return len(ids)


# --- Read state -------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification, actor) -> Notification:
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user, actor) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def notifications_settle(*, recipients, kind: str, target) -> int:
    """What ``kind`` notifications about ``target`` asked of their ``recipients`` is done (a
    moderator decided the item): they are marked read wherever they are still unread."""
    return (
        Notification.objects.filter(recipient__in=recipients, kind=kind)
        .filter(target_url=target.get_absolute_url())
        .unread()
        .update(read_at=timezone.now())
    )


# --- Preferences ------------------------------------------------------------------------------


@transaction.atomic
def preference_set(*, user, kind: str, channel: str, enabled: bool, actor) -> Preference:
    spec = get_kind(kind)
    if spec.essential and not enabled:
        raise DomainError(_("“%(kind)s” cannot be switched off.") % {"kind": spec.label})
    if channel not in spec.channels:
        raise DomainError(_("“%(kind)s” is not sent that way.") % {"kind": spec.label})
    preference, _created = Preference.objects.update_or_create(
        user=user, kind=spec.key, channel=channel, defaults={"enabled": enabled}
    )
    return preference


@transaction.atomic
def preferences_update(*, user, enabled: set[tuple[str, str]], kinds: list[Kind], actor) -> None:
    """Save the preferences form: every switchable (kind, channel) of ``kinds`` is on if it is
    in ``enabled``, off otherwise. Essential kinds are left alone: they are always on."""
    for spec in kinds:
        if spec.essential:
            continue
        for channel in spec.channels:
            preference_set(
                user=user,
                kind=spec.key,
                channel=channel,
                enabled=(spec.key, channel) in enabled,
                actor=actor,
            )
