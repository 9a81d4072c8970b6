from email.utils import parseaddr

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microstore.accounts.models import AccountEvent, User
from microstore.errors import DomainError
from microstore.images.models import Image, Purpose
from microstore.images.services import image_create, image_delete
from microstore.notifications import notify
from microstore.notifications.targets import Link


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


# --- Banning abusers ------------------------------------------------------------------------------


def contact_address() -> str:
    """Where a banned member writes to appeal: the address our mail comes from."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason: it is kept in the account's history."))
    return reason


def _check_may_moderate(*, user: User, actor: User) -> None:
    if actor is not None and actor.pk == user.pk:
        raise DomainError(_("You cannot ban or restore your own account."))
    if (user.is_superuser or user.is_staff) and not (actor is not None and actor.is_superuser):
        raise DomainError(_("Only a superuser can ban or restore a staff member or a superuser."))


@transaction.atomic
def user_ban(*, user: User, actor: User, reason: str) -> User:
    """Close an abuser's account: they are told why and how to appeal, cannot log in any more
    (their open sessions end with their next request) and every stall they own is suspended.

    Banning a banned account changes nothing.
    """
    from shops.models import Status
    from shops.selectors import shop_list_owned_by
    from shops.services import shop_suspend

    reason = _required_reason(reason)
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_may_moderate(user=user, actor=actor)
    if not user.is_active:
        return user
    # First, while the account is active: notify() mails active members only.
    notify(
        recipient=user,
        kind="account.banned",
        context={"reason": reason, "contact": contact_address()},
        actor=actor,
    )
    user.is_active = False
    user.save(update_fields=["is_active"])
    AccountEvent.objects.create(
        user=user, action=AccountEvent.Action.BANNED, actor=actor, reason=reason
    )
    stall_reason = _("The seller's account was closed: %(reason)s") % {"reason": reason}
    for shop in shop_list_owned_by(user=user):
        if shop.can_transition_to(Status.SUSPENDED, moderator=True):  # not closed stalls
            shop_suspend(shop=shop, actor=actor, reason=str(stall_reason))
    return user


@transaction.atomic
def user_unban(*, user: User, actor: User, reason: str) -> User:
    """Let a banned member log in again. Their stalls stay suspended: a moderator reinstates
    them separately (``shop_reinstate``), and the member's mail says so."""
    from shops.models import Status
    from shops.selectors import shop_list_owned_by

    reason = _required_reason(reason)
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_may_moderate(user=user, actor=actor)
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    AccountEvent.objects.create(
        user=user, action=AccountEvent.Action.UNBANNED, actor=actor, reason=reason
    )
    # After reactivating: notify() mails active members only.
    notify(
        recipient=user,
        kind="account.restored",
        context={
            "reason": reason,
            "suspended_stalls": shop_list_owned_by(user=user)
            .filter(status=Status.SUSPENDED)
            .count(),
        },
        target=Link("account_login"),
        actor=actor,
    )
    return user
