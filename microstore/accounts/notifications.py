"""Notification kinds of the accounts app (registered from ``AccountsConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from microstore.notifications.kinds import Category, Kind, register_kind

WELCOME = register_kind(
    Kind(
        key="account.welcome",
        # Sent once, when a new member confirms their email address.
        label=_("Welcome to microstore"),
        category=Category.ACCOUNT,
    )
)
