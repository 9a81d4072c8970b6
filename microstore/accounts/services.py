from allauth.account.models import EmailAddress
from django.db import transaction

from microstore.accounts.models import User


@transaction.atomic
def email_mark_verified(*, user: User) -> EmailAddress:
    """Record the user's current address as their verified, primary one."""
    address, _ = EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(
        primary=False
    )
    return address


@transaction.atomic
def user_update_profile(*, user: User, display_name: str) -> User:
    user.display_name = display_name.strip()
    user.save(update_fields=["display_name"])
    return user
