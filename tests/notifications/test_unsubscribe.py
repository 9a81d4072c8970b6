"""The unsubscribe link in every non-essential mail: works without logging in, and only for
the one kind it was made for."""

import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from microstore.notifications import notify
from microstore.notifications.models import Preference
from microstore.notifications.tokens import SALT, make_unsubscribe_token

pytestmark = pytest.mark.django_db

UNSUBSCRIBE_LINK = re.compile(r"http://127\.0\.0\.1:8000(/notifications/unsubscribe/[^/\s]+/)")


def unsubscribe_url(user, kind="images.failed", channel="email") -> str:
    token = make_unsubscribe_token(user_id=user.pk, kind=kind, channel=channel)
    return reverse("notifications:unsubscribe", args=[token])


def email_enabled(user, kind="images.failed"):
    return (
        Preference.objects.filter(user=user, kind=kind, channel="email")
        .values_list("enabled", flat=True)
        .first()
    )


def test_the_link_in_the_mail_unsubscribes_without_logging_in(
    client, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipient=owner,
            kind="images.failed",
            context={"purpose_label": "Logo", "reason": "Damaged."},
        )
    path = UNSUBSCRIBE_LINK.search(mail.outbox[0].body).group(1)

    page = client.get(path)
    assert page.status_code == 200
    assert "Unsubscribe?" in page.text
    assert "A photo could not be processed" in page.text
    assert email_enabled(owner) is None  # a GET (a link scanner, a preview) changes nothing

    done = client.post(path)
    assert done.status_code == 200
    assert "You are unsubscribed" in done.text
    assert email_enabled(owner) is False
    assert "_auth_user_id" not in client.session

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipient=owner,
            kind="images.failed",
            context={"purpose_label": "Logo", "reason": "Damaged."},
        )
    assert mail.outbox == []


def test_a_mail_clients_one_click_post_unsubscribes(owner):
    # RFC 8058: the client POSTs "List-Unsubscribe=One-Click", with no cookies and no CSRF token.
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        unsubscribe_url(owner),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert email_enabled(owner) is False


def test_unsubscribing_touches_only_that_kind_and_channel(client, owner, buyer):
    Preference.objects.create(user=owner, kind="square.news", channel="email", enabled=True)

    client.post(unsubscribe_url(owner))

    assert email_enabled(owner) is False
    assert email_enabled(owner, "square.news") is True
    assert not Preference.objects.filter(user=owner, channel="web").exists()
    assert not Preference.objects.filter(user=buyer).exists()


def test_unsubscribing_twice_is_harmless(client, owner):
    url = unsubscribe_url(owner)

    client.post(url)
    response = client.post(url)

    assert response.status_code == 200
    assert Preference.objects.filter(user=owner).count() == 1


def tampered(url: str) -> str:
    token = url.rstrip("/").rsplit("/", 1)[1]
    payload, signature = token.rsplit(":", 1)
    return reverse("notifications:unsubscribe", args=[f"{payload}:{signature[:-2]}xx"])


@pytest.mark.parametrize(
    "make_url",
    [
        pytest.param(lambda user: tampered(unsubscribe_url(user)), id="tampered signature"),
        pytest.param(
            lambda user: reverse(
                "notifications:unsubscribe",
                args=[
                    signing.dumps(
                        {"u": user.pk, "k": "images.failed", "c": "email"}, salt="another.purpose"
                    )
                ],
            ),
            id="signed for another purpose",
        ),
        pytest.param(
            lambda user: reverse(
                "notifications:unsubscribe",
                args=[signing.dumps({"u": user.pk, "k": "images.failed", "c": "email"})],
            ),
            id="signed without the salt",
        ),
        pytest.param(
            lambda user: reverse(
                "notifications:unsubscribe",
                args=[
                    signing.dumps(
                        {"u": user.pk, "k": "images.failed", "c": "email"},
                        salt=SALT,
                        key="not-our-secret-key-" * 3,
                    )
                ],
            ),
            id="forged with another key",
        ),
        pytest.param(lambda user: "/notifications/unsubscribe/garbage/", id="garbage"),
        pytest.param(
            lambda user: unsubscribe_url(user, kind="orders.teleported"), id="unknown kind"
        ),
        pytest.param(lambda user: unsubscribe_url(user, channel="pigeon"), id="unknown channel"),
        pytest.param(
            lambda user: reverse(
                "notifications:unsubscribe",
                args=[signing.dumps(["not", "a", "dict"], salt=SALT)],
            ),
            id="malformed payload",
        ),
    ],
)
def test_a_bad_link_is_refused_clearly_and_changes_nothing(client, owner, make_url):
    url = make_url(owner)

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.text
    assert not Preference.objects.exists()


def test_a_link_for_another_kind_cannot_be_edited_into_this_one(client, owner):
    news = unsubscribe_url(owner, kind="square.news")
    token = news.rstrip("/").rsplit("/", 1)[1]
    _payload, signature = token.split(":", 1)
    other = make_unsubscribe_token(user_id=owner.pk, kind="images.failed", channel="email")
    spliced = f"{other.split(':', 1)[0]}:{signature}"  # images.failed payload, news signature

    response = client.post(reverse("notifications:unsubscribe", args=[spliced]))

    assert response.status_code == 400
    assert not Preference.objects.exists()


def test_essential_kinds_have_no_unsubscribe(client, owner, essential_kind):
    response = client.post(unsubscribe_url(owner, kind="test.receipt"))

    assert response.status_code == 400
    assert not Preference.objects.exists()


def test_a_link_for_a_deleted_account_is_refused(client, owner):
    url = unsubscribe_url(owner)
    owner.delete()

    assert client.post(url).status_code == 400
