"""Sign up, confirm, log in and out: what a new person on microstore goes through."""

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.urls import reverse

from microstore.accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


def sign_up(client, capture, *, email="mei@example.com", name="Mei Lin", password=PASSWORD):
    with capture(execute=True):
        return client.post(
            reverse("account_signup"),
            {"email": email, "display_name": name, "password1": password, "password2": password},
        )


def test_sign_up_sends_a_confirmation_mail_and_does_not_log_in(
    client, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="mei@example.com")
    assert user.display_name == "Mei Lin"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mei@example.com"]
    assert message.subject.startswith("[microstore]")
    assert "Hello from microstore" in message.body
    assert CONFIRM_LINK.search(message.body)
    assert "_auth_user_id" not in client.session


def test_the_confirmation_link_confirms_and_logs_in(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    link = CONFIRM_LINK.search(mail.outbox[0].body).group(0)

    page = client.get(link)
    assert page.status_code == 200
    assert "mei@example.com" in page.text
    response = client.post(link, follow=True)

    assert EmailAddress.objects.get(email="mei@example.com").verified
    assert response.context["user"].is_authenticated
    assert "Mei Lin" in response.text


def test_an_unconfirmed_user_cannot_log_in_and_is_sent_the_link_again(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    client.cookies.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_login"), {"login": "mei@example.com", "password": PASSWORD}
        )

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_an_expired_confirmation_link_says_so(client, settings, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    link = CONFIRM_LINK.search(mail.outbox[0].body).group(0)
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 0

    response = client.get(link)

    assert response.status_code == 200
    assert "expired or is invalid" in response.text
    assert not EmailAddress.objects.get(email="mei@example.com").verified


def test_a_made_up_confirmation_link_is_refused_clearly(client):
    response = client.get(reverse("account_confirm_email", args=["not-a-real-key"]))

    assert response.status_code == 200
    assert "expired or is invalid" in response.text


def test_signing_up_twice_with_one_email_makes_one_account_and_tells_the_owner(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="mei@example.com", display_name="Mei Lin")

    # Whatever the case of the address, it is the same person's.
    response = sign_up(client, django_capture_on_commit_callbacks, email="MEI@Example.com")

    # The visitor is not told whether the address exists (no account enumeration);
    # the address's owner gets a mail explaining what happened.
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="mei@example.com").count() == 1
    assert len(mail.outbox) == 1
    assert "already" in mail.outbox[0].body.lower()


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        ("email", {"email": "not-an-email"}, "Enter a valid email address."),
        ("password2", {"password2": "something-else-entirely"}, "You must type the same password"),
        ("password1", {"password1": "12345678", "password2": "12345678"}, "too common"),
        ("display_name", {"display_name": "   "}, "This field is required."),
    ],
)
def test_bad_sign_up_input_is_explained_next_to_the_field(client, field, data, message):
    form = {
        "email": "mei@example.com",
        "display_name": "Mei Lin",
        "password1": PASSWORD,
        "password2": PASSWORD,
    } | data

    response = client.post(reverse("account_signup"), form)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.text
    assert not User.objects.exists()


def test_log_in_shows_the_display_name_and_log_out_ends_the_session(client):
    UserFactory(email="gao@example.com", display_name="Lao Gao")

    response = client.post(
        reverse("account_login"), {"login": "GAO@example.com", "password": PASSWORD}, follow=True
    )
    assert response.context["user"].is_authenticated
    assert "Lao Gao" in response.text

    response = client.post(reverse("account_logout"), follow=True)
    assert not response.context["user"].is_authenticated
    assert "Lao Gao" not in response.text


def test_a_wrong_password_is_refused_with_a_clear_message(client):
    UserFactory(email="gao@example.com")

    response = client.post(
        reverse("account_login"), {"login": "gao@example.com", "password": "wrong-password"}
    )

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.text
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_are_rate_limited(client):
    UserFactory(email="gao@example.com")
    attempt = {"login": "gao@example.com", "password": "wrong-password"}

    for _ in range(5):
        response = client.post(reverse("account_login"), attempt)
        assert "not correct" in response.text

    # Even the right password is refused until the limit lapses, and the page says why.
    limited = client.post(reverse("account_login"), {**attempt, "password": PASSWORD})
    assert limited.status_code == 200
    assert "Too many failed login attempts. Try again later." in limited.text
    assert "_auth_user_id" not in client.session


def test_a_flood_of_requests_from_one_address_gets_the_429_page(client):
    for _ in range(30):
        client.post(reverse("account_login"), {"login": "x@example.com", "password": "x"})

    response = client.post(reverse("account_login"), {"login": "x@example.com", "password": "x"})

    assert response.status_code == 429
    assert "Too many" in response.text


def test_password_reset_by_mail(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="gao@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "gao@example.com"})
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body)
    form_page = client.get(link.group(0), follow=True)
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(0),
        {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"},
    )

    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")


def test_change_email_takes_effect_only_once_confirmed(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="gao@example.com")
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_email"), {"action_add": "", "email": "new-gao@example.com"}
        )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "gao@example.com"
    key = EmailConfirmationHMAC(EmailAddress.objects.get(email="new-gao@example.com")).key

    client.post(reverse("account_confirm_email", args=[key]))

    user.refresh_from_db()
    assert user.email == "new-gao@example.com"
