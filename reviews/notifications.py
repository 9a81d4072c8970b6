"""Notification kinds of the reviews app (registered from ``ReviewsConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from microstore.notifications.kinds import Category, Kind, register_kind

NEW = register_kind(
    Kind(
        # context: {"title", "rating", "shop_name", "author"}; target: the review.
        key="reviews.new",
        label=_("A new review of your stall's goods"),
        category=Category.SHOP,
    )
)
REPLY = register_kind(
    Kind(
        # context: {"title", "shop_name", "reply"}; target: the review.
        key="reviews.reply",
        label=_("A stall replied to your review"),
        category=Category.ORDERS,
    )
)
HIDDEN = register_kind(
    Kind(
        # context: {"title", "reason"}; target: the review. Essential: an author must hear why.
        key="reviews.hidden",
        label=_("One of your reviews was removed by the moderators"),
        category=Category.ORDERS,
        essential=True,
    )
)
