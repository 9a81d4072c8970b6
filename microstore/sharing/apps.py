from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "microstore.sharing"
    label = "sharing"
    verbose_name = _("Sharing")

    def ready(self):
        from microstore.sharing import checks  # noqa: F401 -- registers the system check
