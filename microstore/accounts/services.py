from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microstore.accounts.models import User
from microstore.errors import DomainError
from microstore.images.models import Image, Purpose
from microstore.images.services import image_create, image_delete


@transaction.atomic
def email_mark_verified(*, user: User) -> EmailAddress:
    """Record the user's current address as their verified, primary one."""
    address, _ = EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(
        primary=False
    )
    user_record_email_confirmed(user=user)
    return address


def user_record_email_confirmed(*, user: User) -> None:
    """Remember when the member first confirmed an address; later confirmations keep it."""
    now = timezone.now()
    if User.objects.filter(pk=user.pk, email_confirmed_at__isnull=True).update(
        email_confirmed_at=now
    ):
        user.email_confirmed_at = now


@transaction.atomic
def user_update_profile(*, user: User, display_name: str) -> User:
    user.display_name = display_name.strip()
    user.save(update_fields=["display_name"])
    return user


@transaction.atomic
def user_set_avatar(*, user: User, image: Image | None) -> User:
    """Show ``image`` as the user's profile photo (None removes it); the old photo is deleted."""
    if image is not None and image.owner_id != user.pk:
        raise DomainError(_("That photo belongs to someone else."))
    # Locked, so two uploads at once cannot both keep (or both delete) the same old photo.
    old_id = User.objects.select_for_update().values_list("avatar_id", flat=True).get(pk=user.pk)
    user.avatar = image
    user.save(update_fields=["avatar"])
    if old_id is not None and old_id != getattr(image, "pk", None):
        old = Image.objects.filter(pk=old_id).first()
        if old is not None:
            image_delete(image=old)
    return user


@transaction.atomic
def user_upload_avatar(*, user: User, upload) -> User:
    """A new profile photo from a checked upload (``AvatarForm``); processed after commit."""
    image = image_create(upload=upload, purpose=Purpose.AVATAR, owner=user)
    return user_set_avatar(user=user, image=image)
