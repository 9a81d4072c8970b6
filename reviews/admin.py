"""The reviews admin: the report queue (hide the review or keep it, with a reason), and the
reviews themselves with their photos, edit history and reports. Rows change only through the
services (every hide recomputes the product's rating and tells the author why)."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from microstore.admin_actions import (
    NoteForm,
    ReadOnlyInline,
    RecordAdmin,
    confirm_action,
    reason_form,
)
from reviews import services
from reviews.models import (
    FollowUp,
    ProductRating,
    Review,
    ReviewPhoto,
    ReviewReport,
    ReviewRevision,
    TrustScore,
)

# When a review is removed, its author reads the reason.
ModerationReasonForm = reason_form(
    _("When a review is removed, its author reads this in the notification."),
    max_length=services.MAX_TEXT,
)


class ReviewPhotoInline(ReadOnlyInline):
    model = ReviewPhoto
    fields = ["position", "image"]
    readonly_fields = fields


class ReviewRevisionInline(ReadOnlyInline):
    model = ReviewRevision
    fields = ["created_at", "rating", "text"]
    readonly_fields = fields


class ReviewReportInline(ReadOnlyInline):
    model = ReviewReport
    fields = ["created_at", "reporter", "reason", "note", "status", "decided_by", "decision_reason"]
    readonly_fields = fields


class FollowUpInline(ReadOnlyInline):
    model = FollowUp
    fields = ["created_at", "text", "seller_reply", "seller_replied_at"]
    readonly_fields = fields


def _hide_action(request, modeladmin, queryset, review_of):
    return confirm_action(
        modeladmin,
        request,
        queryset,
        form_class=ModerationReasonForm,
        title=_("Hide the review"),
        intro=_(
            "The review will show “removed by moderation” instead of its text and photos and "
            "count in no average. Its author is told your reason."
        ),
        apply=lambda obj, reason: services.review_hide(
            review=review_of(obj), actor=request.user, reason=reason
        ),
    )


@admin.register(Review)
class ReviewAdmin(RecordAdmin):
    list_display = ["__str__", "shop", "author", "rating", "status", "helpful_count", "created_at"]
    list_filter = ["status", "rating"]
    search_fields = ["text", "order_line__title", "author__email", "shop__name"]
    list_select_related = ["shop", "author", "product", "order_line"]
    inlines = [ReviewPhotoInline, FollowUpInline, ReviewRevisionInline, ReviewReportInline]
    actions = ["hide", "unhide"]
    date_hierarchy = "created_at"

    @admin.action(
        description=_("Hide the selected reviews (with a reason)"), permissions=["decide"]
    )
    def hide(self, request, queryset):
        return _hide_action(request, self, queryset, lambda review: review)

    @admin.action(description=_("Show the selected reviews again"), permissions=["decide"])
    def unhide(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset.filter(status=Review.Status.HIDDEN),
            form_class=NoteForm,
            title=_("Show reviews again"),
            intro=_("The reviews are shown again and count in the averages."),
            # The note goes to the admin's log (confirm_action); the service needs none.
            apply=lambda review, _note: services.review_unhide(review=review, actor=request.user),
        )


@admin.register(ReviewReport)
class ReviewReportAdmin(RecordAdmin):
    """The queue: open reports first, oldest first."""

    list_display = ["__str__", "review_rating", "review_text", "reporter", "status", "created_at"]
    list_filter = ["status", "reason"]
    list_select_related = ["review", "reporter", "review__order_line"]
    search_fields = ["review__text", "note"]
    actions = ["hide_review", "keep_review"]

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-status", "created_at", "pk")

    @admin.display(description=_("rating"))
    def review_rating(self, report):
        return f"{report.review.rating}★"

    @admin.display(description=_("review"))
    def review_text(self, report):
        return report.review.text[:120]

    @admin.action(description=_("Hide the review"), permissions=["decide"])
    def hide_review(self, request, queryset):
        return _hide_action(request, self, queryset, lambda report: report.review)

    @admin.action(description=_("Keep it"), permissions=["decide"])
    def keep_review(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset.filter(status=ReviewReport.Status.OPEN),
            form_class=ModerationReasonForm,
            title=_("Keep the review"),
            intro=_("The review stays as it is; the report is closed with your reason."),
            apply=lambda report, reason: services.report_keep(
                report=report, actor=request.user, reason=reason
            ),
        )


@admin.register(ProductRating)
class ProductRatingAdmin(RecordAdmin):
    list_display = ["product", "count", "average", "smoothed", "updated_at"]
    list_select_related = ["product"]


# --- trust scores ----------------------------------------------------------------------------


@admin.register(TrustScore)
class TrustScoreAdmin(RecordAdmin):
    """Computed by reviews.trust (see docs/trust.md); nobody edits a score by hand."""

    list_display = ["shop", "score", "computed_at"]
    list_select_related = ["shop"]
    search_fields = ["shop__name", "shop__slug"]
    ordering = ["-score"]
    fields = ["shop", "score", "computed_at", "parts_table"]

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description=_("parts"))
    def parts_table(self, trust):
        rows = (
            (
                part.get("key", ""),
                part.get("points", ""),
                part.get("max", ""),
                ", ".join(f"{k}={v}" for k, v in part.items() if k not in ("key", "points", "max")),
            )
            for part in trust.parts or []
        )
        return format_html_join("\n", "<div>{}: {} / {} ({})</div>", rows)
