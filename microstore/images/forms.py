from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from microstore.images.models import Purpose
from microstore.images.validation import check_upload, megabytes, min_short_side

ACCEPT = "image/jpeg,image/png,image/webp"


def _help_text(purpose: str) -> str:
    return _(
        "A JPEG, PNG or WebP photo of up to %(mb)s MB, at least %(min)s px on the short side."
    ) % {"mb": megabytes(settings.IMAGE_MAX_UPLOAD_BYTES), "min": min_short_side(purpose)}


help_text_for = lazy(_help_text, str)


class ImageUploadField(forms.FileField):
    """A photo upload for one purpose, checked by its bytes (``validation.check_upload``).

    ``clean()`` returns the uploaded file with ``.checked`` (a ``CheckedImage``) attached;
    hand it to ``services.image_create``.
    """

    widget = forms.FileInput(attrs={"accept": ACCEPT})

    def __init__(self, *, purpose: str = Purpose.PRODUCT, **kwargs):
        self.purpose = purpose
        kwargs.setdefault("help_text", help_text_for(purpose))
        # Our own check says "empty" more helpfully than FileField does.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload or upload is initial:
            return upload
        upload.checked = check_upload(upload, purpose=self.purpose)
        return upload
