"""Reads about images."""

from microstore.images.models import Image


def image_ids_for_rerender(*, status: str | None = None, purpose: str | None = None) -> list:
    """Ids (oldest first) of the images ``rerender_images`` should process."""
    images = Image.objects.order_by("created_at", "pk")
    if status:
        images = images.filter(status=status)
    if purpose:
        images = images.filter(purpose=purpose)
    return list(images.values_list("pk", flat=True))
