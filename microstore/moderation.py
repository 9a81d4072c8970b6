"""Telling the moderators that work waits for them in the admin.

A complaint escalated to microstore, a seller asking to be verified, the first open report of a
review or a stall update: each service calls ``notify_moderators`` in its own transaction, and
every active staff user allowed to act on it (see ``moderators_with_perm``) gets a notification
of a ``moderation.*`` kind linking to the admin page where they decide. Mail leaves once the
transaction commits, through the notifications outbox. Once the item is decided,
``moderation_done`` marks those notifications read for every moderator, so each one's list
shows only the work still waiting.
"""

from microstore.accounts.selectors import moderators_with_perm
from microstore.notifications import notify
from microstore.notifications.services import notifications_settle
from microstore.notifications.targets import Link


def notify_moderators(*, perm: str, kind: str, context: dict, target, actor=None) -> int:
    """Notify every moderator who holds ``perm`` (but not ``actor`` about their own step);
    return how many were told."""
    told = 0
    for moderator in moderators_with_perm(perm):
        if actor is not None and moderator.pk == actor.pk:
            continue
        notify(recipient=moderator, kind=kind, context=context, target=target, actor=actor)
        told += 1
    return told


def moderation_done(*, perm: str, kind: str, target) -> int:
    """The work ``target`` points at is decided: the moderators' notifications of ``kind``
    about it are marked read; the number marked."""
    return notifications_settle(recipients=moderators_with_perm(perm), kind=kind, target=target)


class ReportQueue:
    """The admin's queue of open reports of one model (review reports, update reports): an
    item's first open report tells the moderators, linking to the queue; later reports of it
    join the queue silently; once no report is open, their notifications are read."""

    KIND = "moderation.report"

    def __init__(self, model, *, item: str):
        self.model, self.item = model, item  # item: the report's foreign key to what it reports

    @property
    def perm(self) -> str:
        return f"{self.model._meta.app_label}.change_{self.model._meta.model_name}"

    @property
    def link(self) -> Link:
        opts = self.model._meta
        return Link(
            f"admin:{opts.app_label}_{opts.model_name}_changelist", query="status__exact=open"
        )

    def filed(self, report, *, context: dict, actor) -> None:
        """``report`` was just filed, its item locked by the caller: if no other report of the
        item is open, the moderators hear of it."""
        same_item = {f"{self.item}_id": getattr(report, f"{self.item}_id")}
        others = self.model.objects.filter(status="open", **same_item).exclude(pk=report.pk)
        if not others.exists():
            notify_moderators(
                perm=self.perm, kind=self.KIND, context=context, target=self.link, actor=actor
            )

    def checked(self) -> None:
        """Reports were decided: with none left open, the moderators' notifications are read."""
        if not self.model.objects.filter(status="open").exists():
            moderation_done(perm=self.perm, kind=self.KIND, target=self.link)
