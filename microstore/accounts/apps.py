from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "microstore.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from microstore.accounts import notifications  # noqa: F401 -- registers kinds
