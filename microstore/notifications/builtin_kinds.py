"""Kinds registered by the notifications app itself, for parts of the site with no app of their
own yet (the square, the moderators) and for the images app, which calls
``notify(kind="images.failed")``.

Other apps register their kinds from their own ``AppConfig.ready()``; see
``microstore/accounts/notifications.py``.
"""

from django.utils.translation import gettext_lazy as _

from microstore.notifications.kinds import Category, Kind, register_kind

IMAGES_FAILED = register_kind(
    Kind(
        key="images.failed",
        # context: {"purpose_label": str, "reason": str}; target: what the photo belongs to.
        label=_("A photo could not be processed"),
        category=Category.SHOP,
    )
)

SQUARE_NEWS = register_kind(
    Kind(
        key="square.news",
        # Marketing-like: nobody hears about it, on the site or by email, without opting in.
        label=_("News and offers from the square"),
        category=Category.SQUARE,
        web_default=False,
        email_default=False,
    )
)

# --- Work waiting for the moderators (see microstore/moderation.py) ----------------------------
# Staff only; on the site and by email, each moderator can switch the mail off.

MODERATION_ESCALATED = register_kind(
    Kind(
        key="moderation.escalated",
        # context: {"number", "shop_name", "complaint", "role" ("buyer"|"seller"), "who",
        # "note"}; target: the complaint's admin page.
        label=_("A complaint was escalated to the moderators"),
        category=Category.MODERATION,
        staff_only=True,
    )
)

MODERATION_VERIFICATION = register_kind(
    Kind(
        key="moderation.verification",
        # context: {"shop_name", "kind" ("identity"|"business"), "who"}; target: the request's
        # admin page.
        label=_("A stall asked to be verified"),
        category=Category.MODERATION,
        staff_only=True,
    )
)

MODERATION_REPORT = register_kind(
    Kind(
        # Only for the first open report of a review or an update: later ones join the queue.
        # context: {"what" ("review"|"update"), "shop_name", "title", "excerpt", "reason"};
        # target: the admin's queue of open reports.
        key="moderation.report",
        label=_("A review or a stall update was reported"),
        category=Category.MODERATION,
        staff_only=True,
    )
)
