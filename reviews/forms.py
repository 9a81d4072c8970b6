"""Forms of the reviews app. They check the shape of the input; ``reviews.services`` enforces
the rules (who, when, once)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.forms import MultipleImageUploadField
from reviews.models import ReviewReport
from reviews.services import MAX_PHOTOS, MAX_TEXT, PHOTO_PURPOSE

STAR_CHOICES = [
    (5, _("5 stars: excellent")),
    (4, _("4 stars: good")),
    (3, _("3 stars: all right")),
    (2, _("2 stars: poor")),
    (1, _("1 star: bad")),
]


def _text(label, *, required=False, rows=5):
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ReviewEditForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"), choices=STAR_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    text = _text(_("Your review (optional)"))


class ReviewForm(ReviewEditForm):
    """A new review: the stars and text of an edit, and photos (which are not edited)."""

    photos = MultipleImageUploadField(
        purpose=PHOTO_PURPOSE,
        max_files=MAX_PHOTOS,
        label=_("Photos (optional, up to 6)"),
        required=False,
    )


class FollowUpForm(forms.Form):
    text = _text(_("How has it held up?"), required=True)


class ReplyForm(forms.Form):
    text = _text(_("Your public reply"), required=True, rows=4)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this review?"),
        choices=ReviewReport.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
