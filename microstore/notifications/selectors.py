"""Reads: what the pages and the services need, with related rows already fetched."""

from django.contrib.auth import get_user_model

from microstore.notifications.kinds import Kind, UnknownKind, all_kinds, get_kind
from microstore.notifications.models import Notification, Preference
from microstore.notifications.tokens import BadToken, read_unsubscribe_token


def notifications_for(*, user):
    """The user's notifications, newest first."""
    return (
        Notification.objects.for_user(user).select_related("actor").order_by("-created_at", "-pk")
    )


def unread_count(*, user) -> int:
    return Notification.objects.for_user(user).unread().count()


def stored_preferences(*, user) -> dict[tuple[str, str], bool]:
    """The choices the user made: ``{(kind, channel): enabled}``. Missing: the kind's default."""
    return {
        (kind, channel): enabled
        for kind, channel, enabled in Preference.objects.filter(user=user).values_list(
            "kind", "channel", "enabled"
        )
    }


def channel_enabled(
    *, user, kind: Kind, channel: str, stored: dict[tuple[str, str], bool] | None = None
) -> bool:
    """Whether ``user`` hears about ``kind`` on ``channel``: essential kinds always, otherwise
    the user's choice, otherwise the kind's default."""
    if channel not in kind.channels:
        return False
    if kind.essential:
        return True
    if stored is None:
        stored = stored_preferences(user=user)
    return stored.get((kind.key, channel), kind.default_for(channel))


def preference_table(*, user) -> list[tuple[Kind, dict[str, bool]]]:
    """Every kind with the user's effective setting per channel, for the preferences page
    (the moderators' kinds for staff only)."""
    stored = stored_preferences(user=user)
    return [
        (
            kind,
            {
                channel: channel_enabled(user=user, kind=kind, channel=channel, stored=stored)
                for channel in kind.channels
            },
        )
        for kind in all_kinds()
        if user.is_staff or not kind.staff_only
    ]


def unsubscribe_target(*, token: str):
    """The (user, kind, channel) an unsubscribe link switches off; ``BadToken`` if the link was
    not made by us, was altered, or names something that cannot be switched off."""
    wanted = read_unsubscribe_token(token)
    try:
        kind = get_kind(wanted.kind)
    except UnknownKind:
        raise BadToken("unknown kind") from None
    if kind.essential or wanted.channel not in kind.channels:
        raise BadToken("not switchable")
    user = get_user_model().objects.filter(pk=wanted.user_id, is_active=True).first()
    if user is None:
        raise BadToken("no such user")
    return user, kind, wanted.channel
