"""Reviews you can believe (``review``) and the trust score built on them (``trust``)."""

from reviews.models.review import (
    FollowUp,
    HelpfulVote,
    ProductRating,
    Review,
    ReviewPhoto,
    ReviewReport,
    ReviewRevision,
)
from reviews.models.trust import TrustScore

__all__ = [
    "FollowUp",
    "HelpfulVote",
    "ProductRating",
    "Review",
    "ReviewPhoto",
    "ReviewReport",
    "ReviewRevision",
    "TrustScore",
]
