from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MicrostoreConfig(AppConfig):
    """The platform itself: shared tasks, template tags, management commands."""

    name = "microstore"
    verbose_name = _("microstore platform")
