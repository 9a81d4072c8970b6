"""Admins see every notification and mail, find them, and send failed mail again."""

import pytest
from django.core import mail
from django.urls import reverse

from microstore.notifications.models import OutgoingEmail, Preference
from tests.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


def outgoing(**fields) -> OutgoingEmail:
    defaults = {"to": "mei@example.com", "subject": "Hi", "body_text": "Hello", "kind": "account"}
    return OutgoingEmail.objects.create(**defaults | fields)


@pytest.mark.parametrize("count", [1, 20])
def test_admins_find_notifications_by_recipient_email(
    client, admin_user, count, django_assert_max_num_queries
):
    gao = UserFactory(email="gao@example.com")
    NotificationFactory.create_batch(count, recipient=gao)
    NotificationFactory.create_batch(3)
    client.force_login(admin_user)
    url = reverse("admin:notifications_notification_changelist")

    with django_assert_max_num_queries(12):
        response = client.get(url, {"q": "gao@example"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == count
    assert client.get(url, {"read": "no", "kind": "images.failed"}).status_code == 200
    assert client.get(url, {"q": "images.failed"}).context["cl"].result_count == count + 3


def test_a_notification_can_be_looked_at_but_not_edited(client, admin_user):
    notification = NotificationFactory()
    client.force_login(admin_user)

    response = client.get(
        reverse("admin:notifications_notification_change", args=[notification.pk])
    )

    assert response.status_code == 200
    assert "Stall logo" in response.text
    assert 'name="_save"' not in response.text
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403


def test_admins_find_outgoing_mail_by_address_subject_and_status(client, admin_user):
    outgoing(to="gao@example.com", subject="Confirm your email", status="failed")
    outgoing(to="mei@example.com", subject="Welcome", status="sent")
    client.force_login(admin_user)
    url = reverse("admin:notifications_outgoingemail_changelist")

    by_address = client.get(url, {"q": "gao@"})
    by_subject = client.get(url, {"q": "welcome"})
    by_status = client.get(url, {"status__exact": "failed"})

    assert by_address.context["cl"].result_count == 1
    assert by_subject.context["cl"].result_count == 1
    assert list(by_status.context["cl"].result_list.values_list("to", flat=True)) == [
        "gao@example.com"
    ]
    email = OutgoingEmail.objects.get(to="gao@example.com")
    detail = client.get(reverse("admin:notifications_outgoingemail_change", args=[email.pk]))
    assert detail.status_code == 200
    assert "Confirm your email" in detail.text


def test_retry_now_sends_failed_mail_again(client, admin_user, django_capture_on_commit_callbacks):
    failed = outgoing(status="failed", attempts=6, last_error="SMTPServerDisconnected")
    sent = outgoing(to="sent@example.com", status="sent", attempts=1)
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_outgoingemail_changelist"),
            {"action": "retry_now", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )

    assert "1 failed email will be sent again." in response.text
    failed.refresh_from_db()
    assert failed.status == "sent"
    assert [m.to for m in mail.outbox] == [["mei@example.com"]]


def test_admins_see_and_search_preferences(client, admin_user):
    gao = UserFactory(email="gao@example.com")
    Preference.objects.create(user=gao, kind="square.news", channel="email", enabled=True)
    client.force_login(admin_user)

    response = client.get(
        reverse("admin:notifications_preference_changelist"), {"q": "gao@example.com"}
    )

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
