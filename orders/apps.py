from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from orders import notifications  # noqa: F401  (registers the notification kinds)
        from orders.payments import direct, sandbox  # noqa: F401  (registers the providers)
