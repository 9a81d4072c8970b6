from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImagesConfig(AppConfig):
    name = "microstore.images"
    label = "images"
    verbose_name = _("Images")

    def ready(self):
        from microstore.images import signals  # noqa: F401 -- file clean-up on delete
        from microstore.images.validation import configure_pillow

        # Pillow's decompression-bomb limit is our pixel cap; truncated files stay errors.
        configure_pillow()
