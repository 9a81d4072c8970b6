"""Notification kinds of the stalls app (registered from ``ShopsConfig.ready``).

The sellers' kinds are essential: a seller must hear about decisions on their own stall. The
shoppers' weekly digest (shops/digest.py) is email only and opt-in.
"""

from django.utils.translation import gettext_lazy as _

from microstore.notifications.kinds import Category, Channel, Kind, register_kind

VERIFICATION_APPROVED = register_kind(
    Kind(
        key="shops.verification_approved",
        label=_("Your stall was verified"),
        category=Category.SHOP,
        essential=True,
    )
)
VERIFICATION_REJECTED = register_kind(
    Kind(
        key="shops.verification_rejected",
        label=_("A verification request was turned down"),
        category=Category.SHOP,
        essential=True,
    )
)
SUSPENDED = register_kind(
    Kind(
        key="shops.suspended",
        label=_("Your stall was suspended"),
        category=Category.SHOP,
        essential=True,
    )
)
REINSTATED = register_kind(
    Kind(
        key="shops.reinstated",
        label=_("Your stall is back on the square"),
        category=Category.SHOP,
        essential=True,
    )
)
UPDATE_HIDDEN = register_kind(
    Kind(
        key="shops.update_hidden",
        label=_("An update of your stall was hidden"),
        category=Category.SHOP,
        essential=True,
    )
)
DIGEST = register_kind(
    Kind(
        key="square.digest",
        # context: see shops.digest.digest_context. Nobody gets it without opting in.
        label=_("Weekly digest of the stalls you follow"),
        category=Category.SQUARE,
        channels=(Channel.EMAIL,),
        email_default=False,
    )
)
