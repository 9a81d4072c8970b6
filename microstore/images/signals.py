"""Storage housekeeping, not domain flow: when an image row is deleted (directly, by the
admin, or by a cascade from its owner), its files are deleted once the deletion commits."""

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from microstore.images.models import Image
from microstore.images.storage import private_storage


@receiver(post_delete, sender=Image, dispatch_uid="images_delete_files")
def _delete_files_after_commit(sender, instance: Image, **kwargs):
    from microstore.images.services import delete_files

    original = [instance.original.name] if instance.original else []
    renditions = sorted(instance.rendition_names())
    transaction.on_commit(lambda: delete_files(private_storage, original), robust=True)
    transaction.on_commit(lambda: delete_files(default_storage, renditions), robust=True)
