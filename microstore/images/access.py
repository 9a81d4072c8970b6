"""Ownership look-ups: an image that is not yours is a 404, exactly like one that is missing."""

from django.http import Http404

from microstore.images.models import Image


def get_image_for_user(user, image_id) -> Image:
    if not user.is_authenticated:
        raise Http404
    image = Image.objects.filter(pk=image_id, owner=user).first()
    if image is None:
        raise Http404
    return image
