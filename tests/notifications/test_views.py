"""The bell, the list, reading, and the settings page: what a logged-in user sees and does."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from microstore.notifications.kinds import all_kinds
from microstore.notifications.models import Notification, Preference
from tests.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
SETTINGS = reverse("notifications:preferences")


def open_url(notification) -> str:
    return reverse("notifications:open", args=[notification.public_id])


def read_url(notification) -> str:
    return reverse("notifications:mark-read", args=[notification.public_id])


def make_notifications(user, count: int) -> list[Notification]:
    now = timezone.now()
    return [
        NotificationFactory(
            recipient=user,
            context={"purpose_label": f"Photo {n}", "reason": "Damaged."},
            created_at=now - timedelta(minutes=n),
        )
        for n in range(count)
    ]


# --- Who may see what ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    notification = NotificationFactory()
    for method, url in [
        ("get", LIST),
        ("get", open_url(notification)),
        ("post", read_url(notification)),
        ("post", reverse("notifications:mark-all-read")),
        ("get", SETTINGS),
    ]:
        response = getattr(client, method)(url)

        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url


def test_a_stranger_gets_404_for_someone_elses_notification(client, owner, stranger):
    notification = NotificationFactory(recipient=owner)
    client.force_login(stranger)

    assert client.get(open_url(notification)).status_code == 404
    assert client.post(read_url(notification)).status_code == 404
    client.post(reverse("notifications:mark-all-read"))
    notification.refresh_from_db()
    assert notification.read_at is None
    assert notification.public_id.hex not in client.get(LIST).text


def test_a_made_up_notification_address_is_404(client, owner):
    client.force_login(owner)

    assert client.get("/notifications/not-a-uuid/").status_code == 404
    assert client.get("/notifications/00000000-0000-0000-0000-000000000000/").status_code == 404


# --- The bell ------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count(client, owner):
    make_notifications(owner, 3)
    NotificationFactory(recipient=owner, read_at=timezone.now())
    NotificationFactory()  # someone else's
    client.force_login(owner)

    text = client.get(reverse("home")).text

    assert 'id="notification-bell"' in text
    assert "Notifications, 3 unread" in text
    assert 'class="notification-bell__badge" aria-hidden="true">3</span>' in text


def test_with_nothing_unread_the_bell_has_no_badge(client, owner):
    client.force_login(owner)

    text = client.get(reverse("home")).text

    assert 'id="notification-bell"' in text
    assert "notification-bell__badge" not in text
    assert "unread" not in text


def test_anonymous_pages_have_no_bell(client):
    assert 'id="notification-bell"' not in client.get(reverse("home")).text


# --- The list ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_shows_newest_first_with_unread_highlighted(
    client, owner, count, django_assert_max_num_queries
):
    notifications = make_notifications(owner, count)
    Notification.objects.filter(pk=notifications[-1].pk).update(read_at=timezone.now())
    client.force_login(owner)

    # session, user, the bell's count, the paginator's count, the page of rows
    with django_assert_max_num_queries(5):
        response = client.get(LIST)

    assert response.status_code == 200
    text = response.text
    assert text.index("Photo 0") <= text.index(f"Photo {count - 1}")
    assert text.count("notification notification--unread") == count - 1
    assert text.count('class="notification"') == 1
    assert "Your photo for “Photo 0” could not be processed" in text


def test_the_list_is_paginated_and_forgives_a_bad_page_number(client, owner):
    make_notifications(owner, 25)
    client.force_login(owner)

    second = client.get(LIST, {"page": 2})
    nonsense = client.get(LIST, {"page": "lots"})

    assert second.text.count('<li class="notification') == 5
    assert "Page 2 of 2" in second.text
    assert nonsense.status_code == 200
    assert nonsense.text.count('<li class="notification') == 20


def test_an_empty_list_says_so(client, owner):
    client.force_login(owner)

    text = client.get(LIST).text

    assert "No notifications yet." in text
    assert "Mark all as read" not in text


# --- Reading -------------------------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_goes_to_its_target(client, owner):
    notification = NotificationFactory(recipient=owner, target_url="/cart/")
    client.force_login(owner)

    response = client.get(open_url(notification))

    assert response.status_code == 302
    assert response.url == "/cart/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize("target_url", ["", "https://evil.example/", "//evil.example/"])
def test_without_a_safe_target_opening_leads_to_the_list(client, owner, target_url):
    notification = NotificationFactory(recipient=owner, target_url=target_url)
    client.force_login(owner)

    response = client.get(open_url(notification))

    assert response.url == LIST


def test_mark_read_without_javascript_returns_to_the_page(client, owner):
    first, second = make_notifications(owner, 2)
    client.force_login(owner)

    response = client.post(read_url(first), {"next": f"{LIST}?page=1"})

    assert response.status_code == 302
    assert response.url == f"{LIST}?page=1"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    assert "Notifications, 1 unread" in client.get(LIST).text


def test_mark_read_with_htmx_swaps_the_row_and_the_bell(client, owner):
    first, _second = make_notifications(owner, 2)
    client.force_login(owner)

    response = client.post(read_url(first), headers={"HX-Request": "true"})

    assert response.status_code == 200
    text = response.text
    assert text.lstrip().startswith(f'<li class="notification" id="notification-{first.public_id}"')
    assert "Mark as read" not in text
    assert 'id="notification-bell"' in text and 'hx-swap-oob="true"' in text
    assert "Notifications, 1 unread" in text
    assert "<html" not in text


def test_mark_read_only_answers_post(client, owner):
    notification = NotificationFactory(recipient=owner)
    client.force_login(owner)

    assert client.get(read_url(notification)).status_code == 405


def test_mark_all_read_reads_only_ones_own(client, owner, buyer):
    make_notifications(owner, 3)
    others = NotificationFactory(recipient=buyer)
    client.force_login(owner)

    response = client.post(reverse("notifications:mark-all-read"), follow=True)

    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.read_at is None
    assert "All your notifications are marked as read." in response.text
    assert "notification-bell__badge" not in response.text


# --- Settings ------------------------------------------------------------------------------


def checkbox(text: str, name: str) -> str:
    start = text.index(f'name="{name}"')
    return text[text.rindex("<input", 0, start) : text.index(">", start) + 1]


def test_the_settings_page_shows_defaults_and_locks_essential_kinds(
    client, owner, essential_kind, django_assert_max_num_queries
):
    client.force_login(owner)

    # session, user, the bell's count, the stored preferences
    with django_assert_max_num_queries(4):
        text = client.get(SETTINGS).text

    assert "checked" in checkbox(text, "images.failed:email")
    assert "checked" not in checkbox(text, "square.news:email")
    receipt = checkbox(text, "test.receipt:email")
    assert "checked" in receipt and "disabled" in receipt
    assert "Always on" in text


def test_the_settings_form_round_trip(client, owner, essential_kind):
    client.force_login(owner)

    response = client.post(
        SETTINGS,
        {
            "account.welcome:web": "on",
            "account.welcome:email": "on",
            "images.failed:web": "on",  # images.failed by email: off
            "square.news:web": "on",
            "square.news:email": "on",
            # test.receipt (essential) not sent at all: it stays on regardless
        },
        follow=True,
    )

    assert "Your notification settings are saved." in response.text
    stored = {(p.kind, p.channel): p.enabled for p in Preference.objects.filter(user=owner)}
    assert stored[("images.failed", "email")] is False
    assert stored[("square.news", "email")] is True
    assert ("test.receipt", "email") not in stored
    text = response.text
    assert "checked" not in checkbox(text, "images.failed:email")
    assert "checked" in checkbox(text, "square.news:email")
    assert "checked" in checkbox(text, "test.receipt:email")


def test_unticking_every_box_switches_everything_off(client, owner):
    client.force_login(owner)

    client.post(SETTINGS, {})

    # one "off" per channel of every kind that can be switched off (the moderators' kinds are
    # not among a shopper's settings)
    switchable = sum(
        len(kind.channels) for kind in all_kinds() if not kind.essential and not kind.staff_only
    )
    assert Preference.objects.filter(user=owner).count() == switchable
    assert not Preference.objects.filter(user=owner, enabled=True).exists()


def test_settings_are_ones_own(client, owner, buyer):
    client.force_login(owner)

    client.post(SETTINGS, {})

    assert not Preference.objects.filter(user=buyer).exists()


def test_the_pages_carry_no_inline_scripts_or_styles(client, owner):
    NotificationFactory(recipient=owner)
    client.force_login(owner)
    for url in (LIST, SETTINGS):
        text = client.get(url).text
        assert "<script>" not in text
        assert "<style" not in text
        assert "style=" not in text
        assert " onclick=" not in text


def test_a_user_with_many_notifications_pays_one_query_for_the_bell(
    client, django_assert_max_num_queries
):
    user = UserFactory()
    make_notifications(user, 30)
    client.force_login(user)

    # session, user, the bell's count; the square's own three (my stall?, stalls, goods)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("home"))

    assert "Notifications, 30 unread" in response.text


def test_a_notification_of_a_kind_that_was_removed_still_lists(client, owner):
    NotificationFactory(recipient=owner, kind="shops.retired", context={})
    client.force_login(owner)

    response = client.get(LIST)

    assert response.status_code == 200
    assert "shops.retired" in response.text
