from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self):
        from catalog import notifications  # noqa: F401 -- registers kinds
        from microstore.images.models import UPLOAD_PAGES, Purpose

        # "Your product photo failed" links to the stall dashboard, where the goods are.
        UPLOAD_PAGES.setdefault(Purpose.PRODUCT, "shops:mine")
