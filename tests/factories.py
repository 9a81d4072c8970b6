import factory
from allauth.account.models import EmailAddress

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
