"""Forms of stall updates: the seller's post (text and up to nine photos) and a report."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from microstore.images.forms import ACCEPT, ImageUploadField
from microstore.images.models import Purpose
from shops.models import StallUpdate, UpdateReport


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class UpdatePhotosField(ImageUploadField):
    """Several photos in one file input; each one checked like any other upload."""

    widget = MultiplePhotoInput(attrs={"accept": ACCEPT, "multiple": True})

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            return super().clean(None, initial) or []
        if len(files) > StallUpdate.PHOTOS_MAX:
            raise ValidationError(
                _("An update can have at most %(max)s photos."),
                params={"max": StallUpdate.PHOTOS_MAX},
            )
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append(super().clean(upload, initial))
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned


class UpdateForm(forms.Form):
    text = forms.CharField(
        label=_("Your update"),
        max_length=StallUpdate.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("New arrivals, harvest news, restocks… Your followers see it in “My square”."),
    )
    photos = UpdatePhotosField(label=_("Photos (up to 9)"), purpose=Purpose.UPDATE, required=False)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=UpdateReport.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
