from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopsConfig(AppConfig):
    name = "shops"
    verbose_name = _("Stalls")

    def ready(self):
        from microstore.images.models import UPLOAD_PAGES, Purpose
        from shops import notifications  # noqa: F401  (registers the notification kinds)

        # "Your stall logo failed" links to the stall dashboard.
        UPLOAD_PAGES[Purpose.SHOP_LOGO] = "shops:mine"
        UPLOAD_PAGES[Purpose.SHOP_BANNER] = "shops:mine"
