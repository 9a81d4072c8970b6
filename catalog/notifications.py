"""Notification kinds of the catalogue (registered from ``CatalogConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from microstore.notifications.kinds import Category, Kind, register_kind

PRODUCT_HIDDEN = register_kind(
    Kind(
        key="catalog.product_hidden",
        # context: {"title": str, "reason": str, "shop_name": str}; target: the product (its
        # page shows the owner the reason). Essential: a seller must hear about moderation.
        label=_("One of your goods was hidden by the admins"),
        category=Category.SHOP,
        essential=True,
    )
)
