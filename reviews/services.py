"""Every write of the reviews app: write, follow up, reply, edit, vote, report, moderate.

Who may review: only the buyer of an order line, once the order is RECEIVED or COMPLETED, and
never a member of the stall that sold it. Cancelled and refunded orders cannot be reviewed.
A partly returned line CAN be reviewed (the buyer kept some of the goods and used them); a line
whose every unit went back cannot (the buyer kept nothing to judge).

Each change that moves a product's numbers (create, edit, hide, show again) recomputes its
``ProductRating`` under a lock of that row and tells the trust score (``trust_changed``).
Services raise ``DomainError`` with a message safe to show.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from microstore.errors import DomainError
from microstore.images.models import Purpose
from microstore.images.services import image_create
from microstore.moderation import ReportQueue
from microstore.notifications import notify
from orders.models import OrderLine, Status
from reviews import trust
from reviews.models import (
    FollowUp,
    HelpfulVote,
    ProductRating,
    Review,
    ReviewPhoto,
    ReviewReport,
    ReviewRevision,
)
from reviews.models.review import RATINGS, REVIEWABLE_STATUSES
from reviews.scoring import bayesian_mean
from shops.selectors import shop_is_member
from shops.services import shop_owners

MAX_PHOTOS = 6
PHOTO_PURPOSE = Purpose.REVIEW
EDIT_WINDOW = timedelta(hours=48)
FOLLOW_UP_AFTER = timedelta(days=15)
MAX_TEXT = 2000


class ReviewLink:
    """A notification target: the review on its product's page."""

    def __init__(self, review: Review):
        self.review = review

    def get_absolute_url(self) -> str:
        product = self.review.product
        if product is None:
            return reverse("orders:list")
        return f"{product.get_absolute_url()}#review-{self.review.public_id}"


def _clean_text(text: str, *, required: bool = False, what: str = "") -> str:
    text = (text or "").strip()
    if required and not text:
        raise DomainError(what or _("Write something first."))
    if len(text) > MAX_TEXT:
        raise DomainError(_("Keep it under %(max)s characters.") % {"max": MAX_TEXT})
    return text


def _check_rating(rating) -> int:
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if rating not in RATINGS:
        raise DomainError(_("Choose a rating from 1 to 5 stars."))
    return rating


# --- who may review a line -----------------------------------------------------------------


def review_blocker(*, line: OrderLine, user, is_member: bool | None = None) -> str:
    """Why ``user`` cannot review ``line`` ("" when they can). Reads the line's order (and its
    stall's members, unless ``is_member`` says already); does not look for an existing review."""
    order = line.order
    if not user.is_authenticated or order.buyer_id != user.pk:
        return _("Only the buyer of this order can review it.")
    if is_member is None:
        is_member = shop_is_member(shop=order.shop, user=user)
    if is_member:
        return _("You cannot review goods from your own stall.")
    if order.status in (Status.CANCELLED, Status.REFUNDED):
        return _("This order was %(status)s, so it cannot be reviewed.") % {
            "status": Status(order.status).label
        }
    if order.status not in REVIEWABLE_STATUSES:
        return _("You can review what you bought once you have confirmed receipt of the parcel.")
    if line.returned_quantity >= line.quantity:
        return _("You returned all of this item, so there is nothing left to review.")
    if line.product_id is None:
        return _("This product is no longer on the square.")
    return ""


# --- writing ---------------------------------------------------------------------------------


@transaction.atomic
def review_create(
    *, order_line: OrderLine, actor, rating, text: str = "", photos=(), now=None
) -> Review:
    """The buyer reviews one line they received: 1 to 5 stars, text, up to six photos.
    A second submit for the same line returns the review already written."""
    line = (
        OrderLine.objects.select_for_update(of=("self",))
        .select_related("order", "order__shop")
        .get(pk=order_line.pk)
    )
    existing = Review.objects.filter(order_line=line).first()
    if existing is not None:
        if existing.author_id == getattr(actor, "pk", None):
            return existing
        raise DomainError(_("This item has been reviewed already."))
    blocker = review_blocker(line=line, user=actor)
    if blocker:
        raise DomainError(blocker)
    rating = _check_rating(rating)
    text = _clean_text(text)
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise DomainError(_("Add at most %(max)s photos to a review.") % {"max": MAX_PHOTOS})
    review = Review(
        order_line=line,
        product_id=line.product_id,
        shop_id=line.order.shop_id,
        author=actor,
        variant_name=line.variant_name,
        rating=rating,
        text=text,
        photo_count=len(photos),
    )
    review.save()
    if now is not None:
        Review.objects.filter(pk=review.pk).update(created_at=now)
        review.created_at = now
    ReviewPhoto.objects.bulk_create(
        [
            ReviewPhoto(
                review=review,
                image=image_create(upload=upload, purpose=PHOTO_PURPOSE, owner=actor),
                position=position,
            )
            for position, upload in enumerate(photos)
        ]
    )
    _rating_changed(review)
    context = {
        "title": line.title,
        "rating": rating,
        "shop_name": line.order.shop.name,
        "author": str(actor.display_name or ""),
    }
    for owner in shop_owners(line.order.shop):
        notify(
            recipient=owner,
            kind="reviews.new",
            context=context,
            target=ReviewLink(review),
            actor=actor,
        )
    return review


def _lock(review: Review) -> Review:
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("product", "shop", "author", "order_line")
        .get(pk=review.pk)
    )


def edit_deadline(review: Review):
    return review.created_at + EDIT_WINDOW


def can_edit(review: Review, *, now=None) -> bool:
    now = now or timezone.now()
    return not review.is_hidden and now < edit_deadline(review)


def edit_blocker(review: Review, *, actor, now=None) -> str:
    """Why ``actor`` cannot edit ``review`` now ("" when they can)."""
    if review.author_id != getattr(actor, "pk", None):
        return _("Only the author can edit this review.")
    if review.is_hidden:
        return _("This review was removed by moderation and cannot be edited.")
    if not can_edit(review, now=now):
        return _("Reviews can be edited for 48 hours after writing; this one is now fixed.")
    return ""


@transaction.atomic
def review_edit(*, review: Review, actor, rating, text: str = "", now=None) -> Review:
    """The author changes stars or text within 48 hours of writing; the old version is kept
    for the admins. Afterwards the review is fixed."""
    now = now or timezone.now()
    review = _lock(review)
    blocker = edit_blocker(review, actor=actor, now=now)
    if blocker:
        raise DomainError(blocker)
    rating = _check_rating(rating)
    text = _clean_text(text)
    if rating == review.rating and text == review.text:
        return review
    ReviewRevision.objects.create(review=review, rating=review.rating, text=review.text)
    moved = rating != review.rating
    review.rating, review.text, review.edited_at = rating, text, now
    review.save(update_fields=["rating", "text", "edited_at"])
    if moved:
        _rating_changed(review)
    return review


def follow_up_opens(review: Review):
    return review.created_at + FOLLOW_UP_AFTER


def can_follow_up(review: Review, *, now=None) -> bool:
    now = now or timezone.now()
    return not review.is_hidden and now >= follow_up_opens(review)


def follow_up_blocker(review: Review, *, actor, now=None) -> str:
    """Why ``actor`` cannot add a follow-up to ``review`` now ("" when they can)."""
    if review.author_id != getattr(actor, "pk", None):
        return _("Only the author can add a follow-up to this review.")
    if review.is_hidden:
        return _("This review was removed by moderation.")
    if hasattr(review, "follow_up"):
        return _("You have already added a follow-up to this review.")
    if not can_follow_up(review, now=now):
        return _("A follow-up can be added 15 days after the review, from %(date)s.") % {
            "date": timezone.localtime(follow_up_opens(review)).strftime("%Y-%m-%d")
        }
    return ""


@transaction.atomic
def follow_up_add(*, review: Review, actor, text: str, now=None) -> FollowUp:
    """The author says how the product held up, once, 15 days or more after the review."""
    now = now or timezone.now()
    review = _lock(review)
    blocker = follow_up_blocker(review, actor=actor, now=now)
    if blocker:
        raise DomainError(blocker)
    text = _clean_text(text, required=True, what=_("Say how the product held up."))
    return FollowUp.objects.create(review=review, text=text)


# --- the seller's replies ----------------------------------------------------------------------


def _require_seller(review: Review, actor) -> None:
    if not shop_is_member(shop=review.shop, user=actor):
        raise DomainError(_("Only the stall that sold this can reply."))


def reply_blocker(review: Review) -> str:
    """Why the stall cannot reply to ``review`` ("" when it can)."""
    if review.seller_reply:
        return _("Your stall has already replied to this review.")
    if review.is_hidden:
        return _("This review was removed by moderation.")
    return ""


def follow_up_reply_blocker(review: Review, follow_up: FollowUp | None) -> str:
    """Why the stall cannot reply to the review's ``follow_up`` ("" when it can)."""
    if follow_up is None:
        return _("There is no follow-up to reply to.")
    if follow_up.seller_reply:
        return _("Your stall has already replied to this follow-up.")
    if review.is_hidden:
        return _("This review was removed by moderation.")
    return ""


def _tell_author_of_reply(review: Review, actor, text: str) -> None:
    notify(
        recipient=review.author,
        kind="reviews.reply",
        context={
            "title": review.order_line.title,
            "shop_name": review.shop.name,
            "reply": text,
        },
        target=ReviewLink(review),
        actor=actor,
    )


@transaction.atomic
def review_reply(*, review: Review, actor, text: str) -> Review:
    """The stall answers a review publicly, once."""
    review = _lock(review)
    _require_seller(review, actor)
    blocker = reply_blocker(review)
    if blocker:
        raise DomainError(blocker)
    text = _clean_text(text, required=True, what=_("Write your reply first."))
    review.seller_reply, review.seller_replied_at = text, timezone.now()
    review.save(update_fields=["seller_reply", "seller_replied_at"])
    _tell_author_of_reply(review, actor, text)
    return review


@transaction.atomic
def follow_up_reply(*, review: Review, actor, text: str) -> FollowUp:
    """The stall answers the follow-up publicly, once."""
    review = _lock(review)
    _require_seller(review, actor)
    follow_up = FollowUp.objects.select_for_update().filter(review=review).first()
    blocker = follow_up_reply_blocker(review, follow_up)
    if blocker:
        raise DomainError(blocker)
    text = _clean_text(text, required=True, what=_("Write your reply first."))
    follow_up.seller_reply, follow_up.seller_replied_at = text, timezone.now()
    follow_up.save(update_fields=["seller_reply", "seller_replied_at"])
    _tell_author_of_reply(review, actor, text)
    return follow_up


# --- helpful votes -----------------------------------------------------------------------------


@transaction.atomic
def vote_set(*, review: Review, actor, helpful: bool) -> bool:
    """Mark the review helpful (or take the mark back). Idempotent: setting the state it is
    already in changes nothing. Returns whether ``actor`` now finds it helpful."""
    if not getattr(actor, "is_authenticated", False):
        raise DomainError(_("Log in to vote."))
    review = _lock(review)
    if review.author_id == actor.pk:
        raise DomainError(_("You cannot vote on your own review."))
    if review.is_hidden:
        raise DomainError(_("This review was removed by moderation."))
    if helpful:
        try:
            with transaction.atomic():
                HelpfulVote.objects.create(review=review, user=actor)
        except IntegrityError:
            return True  # voted already
        Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") + 1)
        return True
    deleted, _rows = HelpfulVote.objects.filter(review=review, user=actor).delete()
    if deleted:
        Review.objects.filter(pk=review.pk, helpful_count__gt=0).update(
            helpful_count=F("helpful_count") - 1
        )
    return False


# --- reports and moderation --------------------------------------------------------------------


@transaction.atomic
def review_report(
    *, review: Review, actor, reason: str, note: str = ""
) -> tuple[ReviewReport, bool]:
    """Anyone logged in flags a review, once; (report, created). Reporting again returns the
    first report unchanged. The review's first open report tells the moderators."""
    if not getattr(actor, "is_authenticated", False):
        raise DomainError(_("Log in to report a review."))
    if reason not in ReviewReport.Reason.values:
        raise DomainError(_("Choose why you report this review."))
    if review.author_id == actor.pk:
        raise DomainError(_("You cannot report your own review."))
    note = (note or "").strip()
    if len(note) > 1000:
        raise DomainError(_("Keep the details under %(max)s characters.") % {"max": 1000})
    existing = ReviewReport.objects.filter(review=review, reporter=actor).first()
    if existing is not None:
        return existing, False
    # Reports of one review queue up here, so exactly one of them is its first open report.
    review = _lock(review)
    try:
        with transaction.atomic():
            report = ReviewReport.objects.create(
                review=review, reporter=actor, reason=reason, note=note
            )
    except IntegrityError:
        return ReviewReport.objects.get(review=review, reporter=actor), False
    REPORTS.filed(
        report,
        context={
            "what": "review",
            "shop_name": review.shop.name,
            "title": review.order_line.title,
            "excerpt": review.text[:200],
            "reason": str(ReviewReport.Reason(reason).label),
        },
        actor=actor,
    )
    return report, True


def _require_moderator(actor) -> None:
    if not (getattr(actor, "is_staff", False) and actor.has_perm("reviews.change_review")):
        raise DomainError(_("Only moderators can do this."))


@transaction.atomic
def review_hide(*, review: Review, actor, reason: str) -> Review:
    """A moderator removes the review: it shows "removed by moderation", counts in no average,
    and the author is told why. Open reports on it are closed as "review removed"."""
    _require_moderator(actor)
    reason = _clean_text(reason, required=True, what=_("Give the author a reason."))
    review = _lock(review)
    now = timezone.now()
    ReviewReport.objects.filter(review=review, status=ReviewReport.Status.OPEN).update(
        status=ReviewReport.Status.HIDDEN, decided_by=actor, decision_reason=reason, decided_at=now
    )
    REPORTS.checked()
    if review.is_hidden:
        return review
    review.status, review.hidden_reason = Review.Status.HIDDEN, reason
    review.save(update_fields=["status", "hidden_reason"])
    _rating_changed(review)
    notify(
        recipient=review.author,
        kind="reviews.hidden",
        context={"title": review.order_line.title, "reason": reason},
        target=ReviewLink(review),
        actor=None,
    )
    return review


@transaction.atomic
def review_unhide(*, review: Review, actor) -> Review:
    """A moderator shows a removed review again (it counts again)."""
    _require_moderator(actor)
    review = _lock(review)
    if not review.is_hidden:
        return review
    review.status, review.hidden_reason = Review.Status.VISIBLE, ""
    review.save(update_fields=["status", "hidden_reason"])
    _rating_changed(review)
    return review


@transaction.atomic
def report_keep(*, report: ReviewReport, actor, reason: str) -> ReviewReport:
    """A moderator decides the review stays; the report is closed with the reason."""
    _require_moderator(actor)
    reason = _clean_text(reason, required=True, what=_("Give a reason."))
    report = ReviewReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReviewReport.Status.OPEN:
        return report
    report.status, report.decided_by = ReviewReport.Status.KEPT, actor
    report.decision_reason, report.decided_at = reason, timezone.now()
    report.save(update_fields=["status", "decided_by", "decision_reason", "decided_at"])
    REPORTS.checked()
    return report


# The moderators' queue of open review reports, where "a review was reported" leads.
REPORTS = ReportQueue(ReviewReport, item="review")


# --- the numbers ------------------------------------------------------------------------------


def _rating_changed(review: Review) -> None:
    if review.product_id is not None:
        rating_recompute(product_id=review.product_id)
    trust.trust_changed(shop_id=review.shop_id)


@transaction.atomic
def rating_recompute(*, product_id: int) -> ProductRating:
    """Count, average, smoothed mean and 5★…1★ distribution of the product's visible reviews,
    written under a lock of its rating row (created on first use), and copied onto the product
    (``rating_rank``, ``rating_average``, ``rating_count``) for the grid's "best rated" sort and
    its cards, in the same transaction."""
    rating, _created = ProductRating.objects.select_for_update().get_or_create(
        product_id=product_id
    )
    rows = (
        Review.objects.filter(product_id=product_id, status=Review.Status.VISIBLE)
        .values("rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_stars = {row["rating"]: row["n"] for row in rows}
    distribution = [by_stars.get(stars, 0) for stars in RATINGS]
    count = sum(distribution)
    total = sum(stars * n for stars, n in zip(RATINGS, distribution, strict=True))
    rating.count = count
    rating.distribution = distribution
    rating.average = bayesian_mean(total=total, count=count, prior_weight=0) if count else 0
    rating.smoothed = bayesian_mean(total=total, count=count)
    rating.save()
    Product.objects.filter(pk=product_id).update(
        rating_rank=rating.smoothed, rating_average=rating.average, rating_count=count
    )
    return rating
