"""Unconfirmed users may browse but not buy, sell or review: one decorator guards that."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.urls import reverse

from microstore.accounts.access import has_verified_email, verified_email_required
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@verified_email_required
def place_order(request):
    return HttpResponse("order placed")


def call(rf, user):
    request = rf.post("/checkout/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return place_order(request)


def test_a_confirmed_user_gets_through(rf):
    response = call(rf, UserFactory())

    assert response.status_code == 200
    assert response.content == b"order placed"


def test_an_unconfirmed_user_is_told_to_confirm_and_can_resend(rf):
    user = UserFactory(email="new@example.com", verified=False)

    response = call(rf, user)

    assert response.status_code == 403
    text = response.content.decode()
    assert "Confirm your email first" in text
    assert "new@example.com" in text
    assert 'name="action_send"' in text
    assert reverse("account_email") in text


def test_an_anonymous_visitor_is_sent_to_log_in(rf):
    response = call(rf, AnonymousUser())

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_answer_is_looked_up_once_per_request(django_assert_num_queries):
    user = UserFactory()

    with django_assert_num_queries(1):
        assert has_verified_email(user)
        assert has_verified_email(user)


def test_browsing_needs_no_account(client):
    for name in ("home", "search", "orders:cart"):
        assert client.get(reverse(name)).status_code == 200


def test_profile_edits_the_display_name(client):
    user = UserFactory(display_name="Old name")
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), {"display_name": "  老高  "}, follow=True)

    user.refresh_from_db()
    assert user.display_name == "老高"
    assert "Your profile is saved." in response.text


def test_profile_refuses_a_blank_name(client):
    user = UserFactory(display_name="Lao Gao")
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), {"display_name": "   "})

    assert response.status_code == 200
    assert "This field is required." in response.text
    user.refresh_from_db()
    assert user.display_name == "Lao Gao"


def test_profile_needs_a_log_in(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
