"""Reviews: write one (from the buyer's order page), edit it within 48 hours, add a follow-up
after 15 days, the stall's public replies, helpful votes (htmx or a plain form) and reports.

Steps with input have a small page: GET shows the form, a POST with errors re-renders it with a
400, a good POST goes back to the review on its product page. What is not yours is a 404
(``reviews.access``). Sellers have no way to delete or hide a review: only moderators can, in
the admin.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from microstore.errors import DomainError
from microstore.steps import form_step
from reviews import access, services
from reviews.forms import FollowUpForm, ReplyForm, ReportForm, ReviewEditForm, ReviewForm
from reviews.services import ReviewLink

FORM_METHODS = ["GET", "HEAD", "POST"]


def _refused(request, template: str, context: dict, message: str):
    """The page explains why the step is not possible (400 on a POST)."""
    status = 400 if request.method == "POST" else 200
    return render(request, template, {**context, "form": None, "refusal": message}, status=status)


def _review_url(review) -> str:
    return ReviewLink(review).get_absolute_url()


@login_required
@require_http_methods(FORM_METHODS)
def review_write(request, number, line_id):
    """The buyer reviews one line of a received order."""
    line = access.get_line_for_buyer(request.user, number, line_id)
    context = {"line": line, "order": line.order}
    existing = getattr(line, "review", None)
    if existing is not None:
        return redirect(_review_url(existing))
    blocker = services.review_blocker(line=line, user=request.user)
    if blocker:
        return _refused(request, "reviews/review_form.html", context, blocker)
    return form_step(
        request,
        form_class=ReviewForm,
        template="reviews/review_form.html",
        context=context,
        apply=lambda form: services.review_create(
            order_line=line,
            actor=request.user,
            rating=form.cleaned_data["rating"],
            text=form.cleaned_data["text"],
            photos=form.cleaned_data["photos"] or [],
        ),
        done=_("Thank you: your review is on the product's page."),
        back=_review_url,
    )


@login_required
@require_http_methods(FORM_METHODS)
def review_edit(request, public_id):
    review = access.get_review_for_author(request.user, public_id)
    context = {"review": review, "deadline": services.edit_deadline(review)}
    blocker = services.edit_blocker(review, actor=request.user)
    if blocker:
        return _refused(request, "reviews/review_edit.html", context, blocker)
    return form_step(
        request,
        form_class=ReviewEditForm,
        template="reviews/review_edit.html",
        context=context,
        form_kwargs={"initial": {"rating": review.rating, "text": review.text}},
        apply=lambda form: services.review_edit(
            review=review, actor=request.user, **form.cleaned_data
        ),
        done=_("Your review is updated."),
        back=_review_url,
    )


@login_required
@require_http_methods(FORM_METHODS)
def follow_up_add(request, public_id):
    review = access.get_review_for_author(request.user, public_id)
    context = {
        "review": review,
        "title": _("How did it hold up?"),
        "intro": _(
            "Tell other shoppers how the product held up after a while. You can add one "
            "follow-up; it is shown under your review with its date."
        ),
        "button": _("Add my follow-up"),
    }
    blocker = services.follow_up_blocker(review, actor=request.user)
    if blocker:
        return _refused(request, "reviews/text_form.html", context, blocker)
    return form_step(
        request,
        form_class=FollowUpForm,
        template="reviews/text_form.html",
        context=context,
        apply=lambda form: services.follow_up_add(
            review=review, actor=request.user, text=form.cleaned_data["text"]
        ),
        done=_("Your follow-up is shown under your review."),
        back=_review_url(review),
    )


@login_required
@require_http_methods(FORM_METHODS)
def review_reply(request, public_id):
    review = access.get_review_for_seller(request.user, public_id)
    context = {
        "review": review,
        "title": _("Reply to this review"),
        "intro": _("Your reply is public, shown under the review. You can reply once."),
        "button": _("Publish my reply"),
    }
    blocker = services.reply_blocker(review)
    if blocker:
        return _refused(request, "reviews/text_form.html", context, blocker)
    return form_step(
        request,
        form_class=ReplyForm,
        template="reviews/text_form.html",
        context=context,
        apply=lambda form: services.review_reply(
            review=review, actor=request.user, text=form.cleaned_data["text"]
        ),
        done=_("Your reply is published."),
        back=_review_url(review),
    )


@login_required
@require_http_methods(FORM_METHODS)
def follow_up_reply(request, public_id):
    review = access.get_review_for_seller(request.user, public_id)
    follow_up = getattr(review, "follow_up", None)
    context = {
        "review": review,
        "title": _("Reply to the follow-up"),
        "intro": _("Your reply is public, shown under the follow-up. You can reply once."),
        "button": _("Publish my reply"),
    }
    blocker = services.follow_up_reply_blocker(review, follow_up)
    if blocker:
        return _refused(request, "reviews/text_form.html", context, blocker)
    return form_step(
        request,
        form_class=ReplyForm,
        template="reviews/text_form.html",
        context=context,
        apply=lambda form: services.follow_up_reply(
            review=review, actor=request.user, text=form.cleaned_data["text"]
        ),
        done=_("Your reply is published."),
        back=_review_url(review),
    )


@login_required
@require_POST
def review_vote(request, public_id):
    """Mark a review helpful or take it back. With htmx the button is swapped in place;
    without JavaScript the form posts and comes back to the review."""
    review = access.get_review_for_reader(request.user, public_id)
    helpful = request.POST.get("helpful") == "1"
    error = ""
    try:
        voted = services.vote_set(review=review, actor=request.user, helpful=helpful)
    except DomainError as exc:
        error, voted = exc.message, False
    review.refresh_from_db(fields=["helpful_count"])
    review.viewer_voted = voted
    if request.headers.get("HX-Request"):
        return render(
            request,
            "reviews/_helpful.html",
            {"review": review, "vote_error": error, "user": request.user},
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    return redirect(_review_url(review))


@login_required
@require_http_methods(FORM_METHODS)
def review_report(request, public_id):
    review = access.get_review_for_reader(request.user, public_id)
    context = {"review": review}
    if review.author_id == request.user.pk:
        return _refused(
            request, "reviews/report_form.html", context, _("You cannot report your own review.")
        )
    if review.reports.filter(reporter=request.user).exists():
        return _refused(
            request,
            "reviews/report_form.html",
            context,
            _("You have reported this review already; the moderators will look at it."),
        )
    return form_step(
        request,
        form_class=ReportForm,
        template="reviews/report_form.html",
        context=context,
        apply=lambda form: services.review_report(
            review=review, actor=request.user, **form.cleaned_data
        ),
        done=_("Thank you: the moderators will look at this review."),
        back=_review_url(review),
    )
