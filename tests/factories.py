import uuid

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from microstore.accounts.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A user who signed up and confirmed their email. ``verified=False`` for one who did not."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(
                user=user, email=user.email, primary=True, verified=extracted is not False
            )
            if extracted is not False:
                User.objects.filter(pk=user.pk).update(email_confirmed_at=user.date_joined)
                user.email_confirmed_at = user.date_joined


class NotificationFactory(factory.django.DjangoModelFactory):
    """An in-app notification, as ``notify()`` would have stored it (no email)."""

    class Meta:
        model = "notifications.Notification"

    recipient = factory.SubFactory(UserFactory)
    kind = "images.failed"
    context = factory.LazyFunction(
        lambda: {"purpose_label": "Stall logo", "reason": "The file was damaged."}
    )
    target_url = "/cart/"


def _quick_user() -> User:
    """A confirmed user without a usable password: no slow hashing for 50 stall owners."""
    user = User.objects.create_user(
        f"seller-{uuid.uuid4().hex[:12]}@example.com",
        None,
        display_name="Seller",
        email_confirmed_at=timezone.now(),
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


class ShopFactory(factory.django.DjangoModelFactory):
    """An open stall owned by ``owner`` (a new user unless given)."""

    class Meta:
        model = "shops.Shop"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Stall {n}")
    slug = factory.Sequence(lambda n: f"stall-{n}")
    code = factory.Sequence(lambda n: f"t{n:05d}")
    tagline = "Fresh from the farm"
    region = "fujian"
    city = "Anxi"

    @factory.post_generation
    def owner(shop, create, extracted, **kwargs):
        if create:
            from shops.models import ShopMember

            user = extracted or _quick_user()
            ShopMember.objects.create(shop=shop, user=user, role=ShopMember.Role.OWNER)
