"""Where image files live.

* Originals go to ``STORAGES["private"]`` (``PRIVATE_MEDIA_ROOT``): they still carry the
  camera's EXIF, GPS position included, so no URL ever points at them.
* Renditions go to ``STORAGES["default"]`` (``MEDIA_ROOT``) and are served by
  ``microstore.images.views.media``. Both are used only through Django's storage API, so
  moving either to S3 is a matter of configuration.
"""

from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateFileSystemStorage(FileSystemStorage):
    """A file system storage with no URL: its files are never served."""

    def url(self, name):
        raise ValueError("Files in the private storage are not served by any URL.")


class _PrivateStorage(LazyObject):
    """``storages["private"]``, looked up on first use and again after a settings change."""

    def _setup(self):
        self._wrapped = storages["private"]


private_storage = _PrivateStorage()


def get_private_storage():
    """For ``FileField(storage=...)``: a callable keeps the configured backend out of migrations."""
    return private_storage


@receiver(setting_changed)
def _reset_private_storage(*, setting, **kwargs):
    if setting in ("STORAGES", "PRIVATE_MEDIA_ROOT"):
        private_storage._wrapped = empty
