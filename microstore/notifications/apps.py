from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "microstore.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from microstore.notifications import builtin_kinds  # noqa: F401 -- registers kinds
