import uuid

from django.conf import settings
from django.db import models
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microstore.notifications.kinds import Channel, UnknownKind, get_kind


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> "NotificationQuerySet":
        return self.filter(recipient=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something happened that a user should hear about: one row in their list (the bell)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=64)
    context = models.JSONField(_("details"), default=dict, blank=True)
    target_url = models.CharField(_("link"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("caused by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notif_recipient_read_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    def get_absolute_url(self) -> str:
        return reverse("notifications:open", args=[self.public_id])

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def title(self) -> str:
        """The kind's label, translated; the kind's key if the kind is no longer registered."""
        try:
            return str(get_kind(self.kind).label)
        except UnknownKind:
            return self.kind

    @property
    def message(self) -> str:
        """One sentence, rendered from ``notifications/kinds/<kind>.html`` (escaped, translated);
        empty for a kind whose template is gone (its title still shows)."""
        try:
            return render_to_string(
                f"notifications/kinds/{self.kind}.html",
                {"context": self.context, "notification": self},
            )
        except TemplateDoesNotExist:
            return ""


class Preference(models.Model):
    """A user's choice for one kind on one channel. No row: the kind's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=64)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="notif_preference_unique"
            ),
        ]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.kind}/{self.channel}: {state}"


class OutgoingEmail(models.Model):
    """The durable outbox: every mail microstore sends is a row first, then a task sends it.

    pending → sending → sent, or back to pending (mail server unreachable: retried with
    backoff) and in the end failed; see ``TRANSITIONS``.

    ``send_outgoing_email`` claims a pending row with one conditional UPDATE, so a retried or
    doubly enqueued task cannot send it twice; ``sweep_outgoing_email`` (beat) re-enqueues rows
    whose task was lost (broker down) and rows whose worker died mid-send.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    # Allowed moves; services.outgoing_email_* change status only along these, each with one
    # conditional UPDATE.
    TRANSITIONS = {
        # claimed by a worker; or sent by a slow worker after a sweep had given up on it
        Status.PENDING: {Status.SENDING, Status.SENT},
        # sent; back to wait (transient error, or its worker died); given up
        Status.SENDING: {Status.SENT, Status.PENDING, Status.FAILED},
        Status.FAILED: {Status.PENDING},  # an admin's "retry now"
        Status.SENT: set(),
    }

    KIND_ACCOUNT = "account"  # allauth's account mail: confirmations, password resets, …

    to = models.CharField(_("to"), max_length=254)
    from_email = models.CharField(_("from"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    notification = models.ForeignKey(
        Notification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("notification"),
    )
    kind = models.CharField(_("kind"), max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notif_email_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
