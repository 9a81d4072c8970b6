"""Kinds registered by the notifications app itself, for parts of the site with no app of their
own yet (the square) and for the images app, which calls ``notify(kind="images.failed")``.

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
