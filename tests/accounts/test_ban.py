"""Admins ban abusers with a reason the member reads, and can restore them; every ban and
restoration is in the account's history. A banned member is logged out, cannot log in, and
their stalls leave the square."""

from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from microstore.accounts import services
from microstore.accounts.models import AccountEvent, User
from microstore.errors import DomainError
from microstore.notifications.services import preference_set
from shops import services as shop_services
from shops.digest import digest_send
from shops.models import ShopEvent, Status
from tests.catalog.factories import PublishedProductFactory, VariantFactory
from tests.factories import PASSWORD, ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "Placed forty fake orders to push his stall up the square."
CHANGELIST = "admin:accounts_user_changelist"


def act(client, action, *users, reason=REASON, apply=True):
    """The admin action on "Users": the reason page, or (``apply``) its confirmation."""
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [user.pk for user in users]}
    if apply:
        data |= {"apply": "Confirm", "reason": reason}
    return client.post(reverse(CHANGELIST), data)


def log_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def messages_of(client) -> str:
    return client.get(reverse(CHANGELIST)).text


@pytest.fixture
def moderator(db):
    """Staff (not a superuser) who may change users."""
    user = UserFactory(is_staff=True, display_name="Moderator")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="accounts", codename__in=["view_user", "change_user"]
        )
    )
    return user


@pytest.fixture
def viewer(db):
    """Staff who may look at users and change nothing."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_user"))
    return user


@pytest.fixture
def stall(owner):
    shop = ShopFactory(owner=owner, name="Miracle pills", slug="miracle-pills")
    product = PublishedProductFactory(shop=shop, title="Miracle cure-all pill")
    VariantFactory(product=product)
    return shop


# --- Banning -------------------------------------------------------------------------------------


def test_a_banned_seller_is_told_why_logged_out_and_their_stall_leaves_the_square(
    client, owner, stall, admin_user, buyer, django_capture_on_commit_callbacks
):
    seller = Client()
    seller.force_login(owner)
    assert seller.get(reverse("orders:list")).status_code == 200
    assert "Miracle cure-all pill" in client.get(reverse("catalog:goods")).text
    client.force_login(admin_user)

    asked = act(client, "ban_users", owner, apply=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, "ban_users", owner)

    assert asked.status_code == 200
    assert "Ban accounts" in asked.text and "Reason" in asked.text and "Lao Gao" in asked.text
    assert response.status_code == 302
    assert "1 account banned; its stalls are suspended." in messages_of(client)
    owner.refresh_from_db()
    assert not owner.is_active
    event = AccountEvent.objects.get(user=owner)
    assert (event.action, event.actor, event.reason) == ("banned", admin_user, REASON)

    # The member alone is mailed: the reason and how to appeal.
    assert [m.to for m in mail.outbox] == [[owner.email]]
    ban_mail = mail.outbox[0]
    assert ban_mail.subject == "Your microstore account was closed"
    assert REASON in ban_mail.body and "reply to this email" in ban_mail.body
    assert "noreply@localhost" in ban_mail.body
    assert REASON in ban_mail.alternatives[0][0]

    # Their session ends with their next request.
    next_request = seller.get(reverse("orders:list"))
    assert next_request.status_code == 302
    assert next_request.url.startswith(reverse("account_login"))

    # Their stall is suspended, with the reason, and its goods leave the square.
    stall.refresh_from_db()
    assert stall.status == Status.SUSPENDED
    assert stall.suspended_reason == f"The seller's account was closed: {REASON}"
    suspended = ShopEvent.objects.get(shop=stall, action=ShopEvent.Action.SUSPENDED)
    assert (suspended.actor, suspended.note) == (admin_user, stall.suspended_reason)
    page = Client().get(stall.get_absolute_url())
    assert page.status_code == 410 and "This stall is suspended." in page.text
    assert "Miracle cure-all pill" not in Client().get(reverse("catalog:goods")).text
    assert "Miracle pills" not in Client().get(reverse("home")).text
    admin_page = client.get(reverse("admin:shops_shop_change", args=[stall.pk]))
    assert f"The seller&#x27;s account was closed: {REASON}" in admin_page.text


def test_a_banned_member_who_logs_in_sees_the_inactive_page(client, buyer, admin_user):
    services.user_ban(user=buyer, actor=admin_user, reason=REASON)

    response = log_in(client, buyer)

    assert response.status_code == 302
    assert response.url == reverse("account_inactive")
    page = client.get(response.url)
    assert page.status_code == 200
    assert "This account is inactive." in page.text
    assert "reply to that email" in page.text
    assert "_auth_user_id" not in client.session


def test_the_appeal_address_is_the_one_our_mail_comes_from(
    settings, buyer, admin_user, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "microstore <help@microstore.example>"

    with django_capture_on_commit_callbacks(execute=True):
        services.user_ban(user=buyer, actor=admin_user, reason=REASON)

    assert "write to help@microstore.example" in mail.outbox[0].body
    assert mail.outbox[0].from_email == "microstore <help@microstore.example>"


def test_banning_needs_a_reason(client, buyer, admin_user):
    client.force_login(admin_user)

    response = act(client, "ban_users", buyer, reason="  ")

    assert response.status_code == 400
    assert "This field is required." in response.text
    buyer.refresh_from_db()
    assert buyer.is_active
    assert not AccountEvent.objects.exists()
    with pytest.raises(DomainError, match="Give a reason"):
        services.user_ban(user=buyer, actor=admin_user, reason=" ")
    with pytest.raises(DomainError, match="Give a reason"):
        services.user_unban(user=buyer, actor=admin_user, reason="")


def test_an_admin_cannot_ban_themselves(client, admin_user, buyer):
    client.force_login(admin_user)

    response = act(client, "ban_users", admin_user, buyer)

    assert response.status_code == 302
    page = messages_of(client)
    assert "You cannot ban or restore your own account." in page
    assert "1 account banned" in page  # the others still go through
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert not User.objects.get(pk=buyer.pk).is_active
    with pytest.raises(DomainError):
        services.user_ban(user=admin_user, actor=admin_user, reason=REASON)


def test_staff_may_ban_members_but_not_a_superuser_or_other_staff(
    client, moderator, admin_user, buyer
):
    colleague = UserFactory(is_staff=True)
    client.force_login(moderator)

    response = act(client, "ban_users", admin_user, colleague, buyer)

    assert response.status_code == 302
    assert "Only a superuser can ban or restore a staff member" in messages_of(client)
    assert User.objects.get(pk=admin_user.pk).is_active
    assert User.objects.get(pk=colleague.pk).is_active
    assert not User.objects.get(pk=buyer.pk).is_active
    with pytest.raises(DomainError):
        services.user_ban(user=admin_user, actor=moderator, reason=REASON)
    # A superuser may.
    services.user_ban(user=colleague, actor=admin_user, reason=REASON)
    assert not User.objects.get(pk=colleague.pk).is_active


def test_view_only_staff_cannot_ban_or_restore(client, viewer, buyer, admin_user):
    banned = UserFactory(display_name="Banned")
    services.user_ban(user=banned, actor=admin_user, reason=REASON)
    client.force_login(viewer)

    listing = client.get(reverse(CHANGELIST))
    assert listing.status_code == 200 and buyer.email in listing.text
    assert 'value="ban_users"' not in listing.text
    assert 'value="restore_users"' not in listing.text
    assert act(client, "ban_users", buyer, apply=False).status_code == 403
    assert act(client, "ban_users", buyer).status_code == 403
    assert act(client, "restore_users", banned, reason="I may not").status_code == 403

    assert User.objects.get(pk=buyer.pk).is_active
    assert not User.objects.get(pk=banned.pk).is_active
    assert AccountEvent.objects.count() == 1


def test_banning_twice_writes_one_event_and_sends_one_mail(
    owner, stall, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.user_ban(user=owner, actor=admin_user, reason=REASON)
        services.user_ban(user=owner, actor=admin_user, reason="Again")

    assert AccountEvent.objects.filter(user=owner).count() == 1
    assert ShopEvent.objects.filter(shop=stall, action=ShopEvent.Action.SUSPENDED).count() == 1
    assert len(mail.outbox) == 1


def test_banning_leaves_a_closed_stall_closed(owner, admin_user):
    closed = ShopFactory(owner=owner, status=Status.CLOSED)

    services.user_ban(user=owner, actor=admin_user, reason=REASON)

    closed.refresh_from_db()
    assert closed.status == Status.CLOSED
    assert not User.objects.get(pk=owner.pk).is_active


def test_the_active_box_is_read_only_on_the_user_page(client, admin_user, buyer):
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[buyer.pk])

    page = client.get(url)
    response = client.post(
        url,
        {
            "email": buyer.email,
            "display_name": "Mei Lin 2",
            "is_active": "",
            "account_events-TOTAL_FORMS": "0",
            "account_events-INITIAL_FORMS": "0",
        },
    )

    assert page.status_code == 200
    assert 'name="is_active"' not in page.text
    assert response.status_code == 302  # saved, and the posted "active" ignored
    buyer.refresh_from_db()
    assert buyer.display_name == "Mei Lin 2" and buyer.is_active


# --- Restoring -----------------------------------------------------------------------------------


def test_restoring_lets_them_log_in_again_but_the_stall_stays_suspended(
    client, owner, stall, admin_user, django_capture_on_commit_callbacks
):
    services.user_ban(user=owner, actor=admin_user, reason=REASON)
    mail.outbox.clear()
    client.force_login(admin_user)

    asked = act(client, "restore_users", owner, apply=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, "restore_users", owner, reason="Appeal accepted: it was a mix-up.")

    assert asked.status_code == 200 and "stay suspended" in asked.text
    assert response.status_code == 302
    assert "1 account restored. Its stalls stay suspended" in messages_of(client)
    owner.refresh_from_db()
    assert owner.is_active
    restored = AccountEvent.objects.filter(user=owner).first()  # newest first
    assert (restored.action, restored.actor) == ("unbanned", admin_user)
    assert restored.reason == "Appeal accepted: it was a mix-up."
    stall.refresh_from_db()
    assert stall.status == Status.SUSPENDED

    assert [m.to for m in mail.outbox] == [[owner.email]]
    restore_mail = mail.outbox[0]
    assert restore_mail.subject == "Your microstore account is restored"
    assert "Appeal accepted: it was a mix-up." in restore_mail.body
    assert "Your stall stays suspended for now" in restore_mail.body
    assert reverse("account_login") in restore_mail.body

    owner.set_password(PASSWORD)
    owner.save(update_fields=["password"])
    seller = Client()
    logged_in = log_in(seller, owner)
    assert logged_in.status_code == 302 and logged_in.url != reverse("account_inactive")
    assert seller.get(reverse("orders:list")).status_code == 200


def test_a_restored_shopper_is_not_told_about_a_stall(
    buyer, admin_user, django_capture_on_commit_callbacks
):
    services.user_ban(user=buyer, actor=admin_user, reason=REASON)
    with django_capture_on_commit_callbacks(execute=True):
        services.user_unban(user=buyer, actor=admin_user, reason="Appeal accepted.")
        services.user_unban(user=buyer, actor=admin_user, reason="Twice")

    assert len(mail.outbox) == 1
    assert "stall" not in mail.outbox[0].body
    assert AccountEvent.objects.filter(user=buyer).count() == 2


# --- The history ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rounds", [1, 6])
def test_the_user_page_shows_who_banned_and_restored_and_why_newest_first(
    client, admin_user, buyer, rounds, django_assert_max_num_queries
):
    moderators = [UserFactory(is_staff=True, is_superuser=True) for _ in range(rounds)]
    start = timezone.now() - timedelta(days=rounds)
    for index, moderator in enumerate(moderators):
        services.user_ban(user=buyer, actor=moderator, reason=f"Spam wave {index}")
        services.user_unban(user=buyer, actor=moderator, reason=f"Appeal {index}")
    for index, event in enumerate(AccountEvent.objects.order_by("pk")):
        AccountEvent.objects.filter(pk=event.pk).update(created_at=start + timedelta(hours=index))
    client.force_login(admin_user)

    with django_assert_max_num_queries(10):
        page = client.get(reverse("admin:accounts_user_change", args=[buyer.pk]))

    assert page.status_code == 200
    text = page.text
    assert "Bans and restorations" in text
    last = rounds - 1
    assert f"Appeal {last}" in text and "Spam wave 0" in text
    newest, oldest = text.index(f"Appeal {last}"), text.index("Spam wave 0")
    assert newest < text.index(f"Spam wave {last}") <= oldest
    assert str(moderators[0]) in text and str(moderators[last]) in text


@pytest.mark.parametrize("count", [1, 10])
def test_the_reason_page_takes_as_many_queries_for_ten_accounts_as_for_one(
    client, admin_user, count, django_assert_max_num_queries
):
    users = UserFactory.create_batch(count)
    client.force_login(admin_user)

    with django_assert_max_num_queries(8):
        page = act(client, "ban_users", *users, apply=False)

    assert page.status_code == 200
    assert all(str(user) in page.text for user in users)


def test_the_user_list_shows_who_is_banned(client, admin_user, buyer):
    services.user_ban(user=buyer, actor=admin_user, reason=REASON)
    client.force_login(admin_user)

    page = client.get(reverse(CHANGELIST), {"is_active__exact": "0"})

    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    assert "column-banned" in page.text and buyer.email in page.text


# --- What a banned member no longer gets --------------------------------------------------------


def test_a_banned_member_gets_no_digest(
    admin_user, buyer, stranger, django_capture_on_commit_callbacks
):
    shop = ShopFactory(name="老高的茶叶铺")
    VariantFactory(
        product=PublishedProductFactory(shop=shop, published_at=timezone.now() - timedelta(days=1))
    )
    for reader in (buyer, stranger):
        preference_set(
            user=reader, kind="square.digest", channel="email", enabled=True, actor=reader
        )
        shop_services.follow(user=reader, shop=shop)
    services.user_ban(user=buyer, actor=admin_user, reason=REASON)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(user=User.objects.get(pk=buyer.pk)) is False
        assert digest_send(user=stranger) is True

    assert [m.to for m in mail.outbox] == [[stranger.email]]


# --- Demo ----------------------------------------------------------------------------------------


def test_the_demo_spammer_is_banned_once_by_the_demo_admin(django_capture_on_commit_callbacks):
    from microstore import demo

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()

    spammer = User.objects.get(email="spam@example.com")
    assert not spammer.is_active
    event = spammer.account_events.get()
    assert event.actor.email == "admin@example.com" and "fake orders" in event.reason
    assert sum(m.to == ["spam@example.com"] for m in mail.outbox) == 1
