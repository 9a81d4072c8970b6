"""The registry of notification kinds: what can be notified, and who hears about it by default.

Each app registers its kinds once, from its ``AppConfig.ready()`` (usually by importing its
``notifications.py``)::

    register_kind(Kind(key="orders.paid", label=_("An order was paid"), category="orders",
                       essential=True))

A kind's key names its templates: ``templates/notifications/kinds/<key>.html`` (the sentence shown
in the list) and ``templates/emails/<key>.subject.txt|.txt|.html`` (the email).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Where a notification reaches its recipient. Room for more (push, SMS) later."""

    WEB = "web", _("On the site")
    EMAIL = "email", _("By email")


class Category(models.TextChoices):
    ACCOUNT = "account", _("Your account")
    SHOP = "shop", _("Your stall")
    ORDERS = "orders", _("Orders")
    SQUARE = "square", _("News from the square")
    MODERATION = "moderation", _("Moderation")


@dataclass(frozen=True)
class Kind:
    """One kind of notification.

    ``essential`` kinds (security mail, order receipts) cannot be switched off and their email
    carries no unsubscribe link. Otherwise each channel follows the user's preference, and
    without one, ``web_default`` / ``email_default``: marketing-like kinds default to off, so
    people hear about them only after opting in.

    ``staff_only`` kinds (work waiting for the moderators) reach staff users only, and only
    staff see them among their notification settings.
    """

    key: str
    label: str | Promise
    category: str
    essential: bool = False
    email_default: bool = True
    web_default: bool = True
    channels: tuple[str, ...] = (Channel.WEB, Channel.EMAIL)
    staff_only: bool = False

    def default_for(self, channel: str) -> bool:
        if channel not in self.channels:
            return False
        if self.essential:
            return True
        return self.web_default if channel == Channel.WEB else self.email_default


class UnknownKind(LookupError):
    """A programming error: code notified about a kind nobody registered."""


_registry: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    if kind.key in _registry:
        raise ValueError(f"Notification kind {kind.key!r} is already registered.")
    unknown = set(kind.channels) - set(Channel.values)
    if unknown:
        raise ValueError(f"Notification kind {kind.key!r} names unknown channels {unknown}.")
    _registry[kind.key] = kind
    return kind


def get_kind(key: str) -> Kind:
    try:
        return _registry[key]
    except KeyError:
        known = ", ".join(sorted(_registry)) or "none"
        raise UnknownKind(
            f"No notification kind {key!r} is registered (known: {known}). Register it with "
            "microstore.notifications.kinds.register_kind() from your app's AppConfig.ready()."
        ) from None


def all_kinds() -> list[Kind]:
    """Every registered kind, grouped by category in the order of ``Category``."""
    order = {value: index for index, value in enumerate(Category.values)}
    return sorted(_registry.values(), key=lambda k: (order.get(k.category, 99), k.key))
