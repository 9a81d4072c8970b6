"""allauth's account mail goes through the outbox, and a new member is welcomed."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from microstore.notifications.models import Notification, OutgoingEmail
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


def sign_up(client, capture):
    with capture(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "email": "mei@example.com",
                "display_name": "Mei Lin",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )


def test_the_confirmation_mail_is_kept_in_the_outbox(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)

    email = OutgoingEmail.objects.get()
    assert (email.kind, email.status, email.to) == ("account", "sent", "mei@example.com")
    assert email.subject.startswith("[microstore]")
    assert CONFIRM_LINK.search(email.body_text)
    assert mail.outbox[0].subject == email.subject
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers  # account mail is essential


def test_confirming_the_address_welcomes_the_new_member(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    link = CONFIRM_LINK.search(mail.outbox[0].body).group(0)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, follow=True)

    welcome = Notification.objects.get()
    assert (welcome.kind, welcome.recipient.email) == ("account.welcome", "mei@example.com")
    assert [m.subject for m in mail.outbox][1:] == ["Welcome to microstore"]
    assert "Hello Mei Lin," in mail.outbox[1].body
    assert 'href="http://127.0.0.1:8000/"' in mail.outbox[1].alternatives[0][0]
    assert "Notifications, 1 unread" in response.text  # logged in, and the bell says so


def test_confirming_a_changed_address_is_no_second_welcome(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="gao@example.com")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_email"), {"action_add": "", "email": "new-gao@example.com"})
    link = CONFIRM_LINK.search(mail.outbox[0].body).group(0)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link)

    assert EmailAddress.objects.get(email="new-gao@example.com").verified
    assert not Notification.objects.exists()
    assert len(mail.outbox) == 1
