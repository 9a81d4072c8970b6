"""Notification kinds of the accounts app (registered from ``AccountsConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from microstore.notifications.kinds import Category, Channel, Kind, register_kind

WELCOME = register_kind(
    Kind(
        key="account.welcome",
        # Sent once, when a new member confirms their email address.
        label=_("Welcome to microstore"),
        category=Category.ACCOUNT,
    )
)
BANNED = register_kind(
    Kind(
        key="account.banned",
        # context: reason, contact. Mailed just before the account is closed (``user_ban``):
        # a closed account gets no mail and cannot log in to read a notification.
        label=_("The moderators closed your account"),
        category=Category.ACCOUNT,
        essential=True,
        channels=(Channel.EMAIL,),
    )
)
RESTORED = register_kind(
    Kind(
        key="account.restored",
        # context: reason, suspended_stalls (how many of their stalls stay suspended).
        label=_("The moderators restored your account"),
        category=Category.ACCOUNT,
        essential=True,
        channels=(Channel.EMAIL,),
    )
)
