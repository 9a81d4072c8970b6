"""Moderators hear that work waits for them: an escalated complaint, a verification request,
the first open report of a review or a stall update."""

from functools import partial

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from microstore.accounts.models import User
from microstore.accounts.selectors import moderators_with_perm
from microstore.errors import DomainError
from microstore.notifications import notify
from microstore.notifications.models import Notification, Preference
from microstore.notifications.services import preference_set
from orders.models import Dispute, Status
from orders.services import aftersales
from reviews import services as review_services
from shops import services as shop_services
from shops import updates
from shops.models import UpdateReport, Verification
from tests.factories import ShopFactory, UserFactory
from tests.orders.factories import make_order
from tests.parallel import at_once
from tests.reviews.review_factories import make_stall, review_of
from tests.shops.conftest import ID_NUMBER

pytestmark = pytest.mark.django_db

DISPUTE_PERM = "orders.change_dispute"
PARALLEL = 10


def permission(perm: str) -> Permission:
    app_label, codename = perm.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def staff(perm: str | None = None, *, via_group: bool = False, **fields):
    """A staff user (a confirmed address), with ``perm`` directly or through a group."""
    user = UserFactory(is_staff=True, **fields)
    if perm and via_group:
        group, _ = Group.objects.get_or_create(name=f"Moderators of {perm}")
        group.permissions.add(permission(perm))
        user.groups.add(group)
    elif perm:
        user.user_permissions.add(permission(perm))
    return user


@pytest.fixture
def escalated(buyer, owner, django_capture_on_commit_callbacks):
    """Escalate a complaint the seller answered: the buyer asks microstore to decide."""

    def escalate():
        _shop, _product, variant = make_stall(owner, slug="anxi-tea")
        order = make_order(buyer=buyer, variants=[variant], status=Status.SHIPPED)
        aftersales.dispute_open(
            order=order, actor=buyer, kind="not_received", statement="Nothing came."
        )
        aftersales.dispute_answer(order=order, actor=owner, answer="It is in your locker.")
        with django_capture_on_commit_callbacks(execute=True):
            return aftersales.dispute_escalate(
                order=order, actor=buyer, role="buyer", note="The locker was empty."
            )

    return escalate


def told(user, kind="moderation.escalated"):
    return Notification.objects.filter(recipient=user, kind=kind)


# --- who hears ---------------------------------------------------------------------------------


def test_an_escalation_tells_the_moderators_who_may_decide_and_nobody_else(escalated, buyer):
    direct = staff(DISPUTE_PERM)
    grouped = staff(DISPUTE_PERM, via_group=True)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    staff_without = staff("orders.view_dispute")
    not_staff = UserFactory()
    not_staff.user_permissions.add(permission(DISPUTE_PERM))
    inactive = staff(DISPUTE_PERM, is_active=False)
    inactive_superuser = UserFactory(is_staff=True, is_superuser=True, is_active=False)
    superuser_not_staff = UserFactory(is_superuser=True)

    dispute = escalated()

    for moderator in (direct, grouped, superuser):
        (notification,) = told(moderator)
        assert notification.actor == buyer
        assert notification.target_url == reverse("admin:orders_dispute_change", args=[dispute.pk])
        assert dispute.order.number in notification.message
        assert "The locker was empty." in notification.message
    for user in (staff_without, not_staff, inactive, inactive_superuser, superuser_not_staff):
        assert not told(user).exists()
    assert not Notification.objects.filter(kind__startswith="moderation.", recipient=buyer)


def test_the_mail_names_the_order_the_stall_who_and_why_and_links_to_the_admin(
    escalated, buyer, settings
):
    settings.SITE_URL = "https://shop.example.com"
    moderator = staff(DISPUTE_PERM, display_name="Moderator Wu")

    dispute = escalated()

    (message,) = [m for m in mail.outbox if m.to == [moderator.email]]
    link = "https://shop.example.com" + reverse("admin:orders_dispute_change", args=[dispute.pk])
    assert dispute.order.number in message.subject
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert link in body
        assert dispute.order.number in body
        assert "anxi-tea stall" in body
        assert f"{buyer.display_name}, the buyer" in body.replace("&#x27;", "'")
        assert "The locker was empty." in body
    assert "List-Unsubscribe" in message.extra_headers  # not essential: one click stops it


def test_a_moderator_who_switched_the_mail_off_still_sees_it_on_the_site(escalated):
    moderator = staff(DISPUTE_PERM)
    preference_set(
        user=moderator, kind="moderation.escalated", channel="email", enabled=False, actor=None
    )

    escalated()

    assert told(moderator).count() == 1
    assert not [m for m in mail.outbox if m.to == [moderator.email]]


def test_the_notification_opens_the_complaint_in_the_admin(client, escalated):
    moderator = staff(DISPUTE_PERM)
    moderator.user_permissions.add(permission("orders.view_dispute"))
    dispute = escalated()
    notification = told(moderator).get()
    client.force_login(moderator)

    opened = client.get(notification.get_absolute_url())
    page = client.get(opened.url)

    assert opened.url == reverse("admin:orders_dispute_change", args=[dispute.pk])
    assert page.status_code == 200 and "Decide this complaint" in page.text


def test_escalating_twice_tells_the_moderators_once(escalated, buyer):
    moderator = staff(DISPUTE_PERM)
    dispute = escalated()

    aftersales.dispute_escalate(order=dispute.order, actor=buyer, role="buyer")

    assert told(moderator).count() == 1


def test_a_moderator_is_not_told_of_their_own_step(buyer, owner):
    """A staff member who buys on the square and escalates their own complaint."""
    moderator_buyer = staff(DISPUTE_PERM)
    colleague = staff(DISPUTE_PERM)
    _shop, _product, variant = make_stall(owner)
    order = make_order(buyer=moderator_buyer, variants=[variant], status=Status.SHIPPED)
    aftersales.dispute_open(order=order, actor=moderator_buyer, kind="other", statement="Hm.")
    aftersales.dispute_answer(order=order, actor=owner, answer="Fine.")

    aftersales.dispute_escalate(order=order, actor=moderator_buyer, role="buyer")

    assert not told(moderator_buyer).exists()
    assert told(colleague).count() == 1


# --- the recipients selector -------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 10])
def test_finding_the_moderators_takes_one_query_however_many(count, django_assert_num_queries):
    moderators = [staff(DISPUTE_PERM, via_group=index % 2 == 1) for index in range(count - 1)] + [
        UserFactory(is_staff=True, is_superuser=True)
    ]
    staff("orders.view_dispute")  # staff, other permission: not a moderator of complaints

    with django_assert_num_queries(1):
        found = list(moderators_with_perm(DISPUTE_PERM))

    assert found == sorted(moderators, key=lambda user: user.pk)


def test_a_user_with_the_permission_twice_is_found_once():
    moderator = staff(DISPUTE_PERM)
    group = Group.objects.create(name="Complaints")
    group.permissions.add(permission(DISPUTE_PERM))
    moderator.groups.add(group)

    assert list(moderators_with_perm(DISPUTE_PERM)) == [moderator]


def test_a_malformed_permission_is_a_programming_error():
    with pytest.raises(ValueError, match=r"app_label\.codename"):
        moderators_with_perm("change_dispute")


# --- verification requests ---------------------------------------------------------------------


def test_a_verification_request_tells_the_moderators_who_may_decide(
    owner, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://shop.example.com"
    shop = ShopFactory(name="Anxi tea", owner=owner)
    moderator = staff("shops.change_verification", via_group=True)
    other = staff(DISPUTE_PERM)

    with django_capture_on_commit_callbacks(execute=True):
        request = shop_services.verification_request(
            shop=shop, actor=owner, kind="identity", real_name="高建国", id_number=ID_NUMBER
        )

    (notification,) = told(moderator, "moderation.verification")
    assert notification.target_url == reverse("admin:shops_verification_change", args=[request.pk])
    assert "Anxi tea" in notification.message and owner.display_name in notification.message
    assert not Notification.objects.filter(recipient=other, kind__startswith="moderation.")
    (message,) = [m for m in mail.outbox if m.to == [moderator.email]]
    assert "https://shop.example.com" + notification.target_url in message.body
    assert ID_NUMBER not in message.body  # the ID number stays in the admin


# --- reports: the first open one only ----------------------------------------------------------


def test_the_first_report_of_a_review_tells_the_moderators_and_later_ones_do_not(
    owner, stranger, buyer, django_capture_on_commit_callbacks
):
    moderator = staff("reviews.change_reviewreport")
    not_reviews = staff("shops.change_updatereport")
    _shop, _product, variant = make_stall(owner)
    review = review_of(variant, rating=1, text="Buy cheaper at example.com!")

    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_report(review=review, actor=stranger, reason="spam")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_report(review=review, actor=buyer, reason="abuse")

    (notification,) = told(moderator, "moderation.report")
    assert notification.target_url == (
        reverse("admin:reviews_reviewreport_changelist") + "?status__exact=open"
    )
    assert "铁观音 Tieguanyin" in notification.message and "spam" in notification.message
    assert not told(not_reviews, "moderation.report").exists()
    assert Notification.objects.filter(kind="moderation.report").count() == 1
    assert mail.outbox == []  # the second report notified nobody


def test_a_review_reported_again_after_a_decision_tells_the_moderators_again(
    owner, stranger, buyer, admin_user
):
    _shop, _product, variant = make_stall(owner)
    review = review_of(variant, rating=1, text="Meh")
    first, _ = review_services.review_report(review=review, actor=stranger, reason="spam")
    review_services.report_keep(report=first, actor=admin_user, reason="It is an opinion.")

    review_services.review_report(review=review, actor=buyer, reason="off_topic")

    assert told(admin_user, "moderation.report").count() == 2


def test_the_first_report_of_a_stall_update_tells_the_moderators_and_later_ones_do_not(
    owner, stranger, buyer, django_capture_on_commit_callbacks
):
    moderator = staff("shops.change_updatereport")
    shop = ShopFactory(name="Anxi tea", owner=owner)
    update = updates.update_post(shop=shop, actor=owner, text="Miracle tea cures colds!")

    with django_capture_on_commit_callbacks(execute=True):
        updates.update_report(update=update, reporter=stranger, reason="misleading")
        updates.update_report(update=update, reporter=buyer, reason="spam")

    (notification,) = told(moderator, "moderation.report")
    assert notification.target_url == (
        reverse("admin:shops_updatereport_changelist") + "?status__exact=open"
    )
    assert "Anxi tea" in notification.message
    (message,) = [m for m in mail.outbox if m.to == [moderator.email]]
    assert "Miracle tea cures colds!" in message.body
    assert UpdateReport.objects.filter(update=update).count() == 2


def test_a_refused_report_of_an_update_tells_nobody(owner):
    moderator = staff("shops.change_updatereport")
    shop = ShopFactory(owner=owner)
    update = updates.update_post(shop=shop, actor=owner, text="Our own news")

    with pytest.raises(DomainError, match="your own stall"):
        updates.update_report(update=update, reporter=owner, reason="spam")

    assert not told(moderator, "moderation.report").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("what", ["review", "update"])
def test_ten_reports_at_once_tell_the_moderators_once(what, owner, admin_user):
    # Given a review and a stall update nobody reported yet
    _shop, _product, variant = make_stall(owner)
    review = review_of(variant, rating=1, text="Spam spam spam")
    update = updates.update_post(shop=variant.shop, actor=owner, text="Miracle tea")
    reporters = [UserFactory() for _ in range(PARALLEL)]

    def report(reporter):
        if what == "review":
            review_services.review_report(review=review, actor=reporter, reason="spam")
        else:
            updates.update_report(update=update, reporter=reporter, reason="spam")

    # When ten people report the same item at the same moment
    results = at_once([partial(report, user) for user in reporters])

    # Then all ten reports are in the queue, and the moderator heard of it once
    assert [r for r in results if isinstance(r, Exception)] == []
    reports = review.reports if what == "review" else update.reports
    assert reports.count() == PARALLEL
    assert told(admin_user, "moderation.report").count() == 1


# --- staff only --------------------------------------------------------------------------------


def test_only_staff_see_the_moderators_kinds_among_their_settings(client, owner):
    settings_page = reverse("notifications:preferences")
    client.force_login(owner)
    assert "escalated to the moderators" not in client.get(settings_page).text

    client.force_login(staff(DISPUTE_PERM))
    assert "escalated to the moderators" in client.get(settings_page).text


def test_saving_settings_as_a_shopper_leaves_the_moderators_kinds_alone(client, owner):
    client.force_login(owner)

    client.post(reverse("notifications:preferences"), {})

    assert not Preference.objects.filter(user=owner, kind__startswith="moderation.").exists()


def test_a_moderators_kind_never_reaches_someone_who_is_not_staff(owner):
    assert notify(recipient=owner, kind="moderation.escalated", context={}) is None
    assert not Notification.objects.filter(recipient=owner).exists()
    assert mail.outbox == []


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_admin_sees_the_work_waiting_after_seeding(
    client, django_capture_on_commit_callbacks
):
    from microstore import demo

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()  # idempotent: nothing new to tell

    admin = User.objects.get(email="admin@example.com")
    told_admin = Notification.objects.filter(recipient=admin)
    dispute = Dispute.objects.get(status=Dispute.Status.ESCALATED)
    assert told_admin.get(kind="moderation.escalated").target_url == reverse(
        "admin:orders_dispute_change", args=[dispute.pk]
    )
    assert told_admin.filter(kind="moderation.report").count() == 1
    # Every demo request was waiting once; the admin decided all but 陶师傅's at once.
    waiting = Verification.objects.get(status=Verification.Status.PENDING)
    verifications = told_admin.filter(kind="moderation.verification")
    assert verifications.count() == Verification.objects.count()
    (still_waiting,) = verifications.filter(read_at__isnull=True)  # the decided ones are read
    assert still_waiting.target_url == reverse("admin:shops_verification_change", args=[waiting.pk])
    client.force_login(admin)
    page = client.get(reverse("notifications:list")).text
    assert "A complaint was escalated to the moderators" in page
    assert "A stall asked to be verified" in page
    assert "A review or a stall update was reported" in page
    sent = [m.subject for m in mail.outbox if m.to == ["admin@example.com"]]
    assert len(sent) == told_admin.filter(kind__startswith="moderation.").count()


# --- decided: the work is no longer waiting ---------------------------------------------------


def unread(user, kind):
    return told(user, kind).filter(read_at__isnull=True)


def test_ruling_on_a_complaint_reads_every_moderators_notification_of_it(escalated, admin_user):
    other = staff(DISPUTE_PERM)
    dispute = escalated()
    assert unread(admin_user, "moderation.escalated").count() == 1

    aftersales.dispute_rule(
        dispute=dispute, actor=admin_user, outcome="rejected", reason="Delivered, with a photo."
    )

    assert not unread(admin_user, "moderation.escalated").exists()
    assert not unread(other, "moderation.escalated").exists()
    assert told(other, "moderation.escalated").count() == 1  # still in the list, read


def test_deciding_a_verification_reads_its_notifications_only(owner, stranger, admin_user):
    first = shop_services.verification_request(
        shop=ShopFactory(owner=owner),
        actor=owner,
        kind="identity",
        real_name="高建国",
        id_number=ID_NUMBER,
    )
    shop_services.verification_request(
        shop=ShopFactory(owner=stranger),
        actor=stranger,
        kind="identity",
        real_name="王强",
        id_number=ID_NUMBER,
    )

    shop_services.verification_approve(verification=first, actor=admin_user)

    waiting = unread(admin_user, "moderation.verification")
    assert [n.target_url for n in waiting] == [
        reverse("admin:shops_verification_change", args=[first.pk + 1])
    ]


def test_report_notifications_are_read_once_the_queue_is_empty(owner, stranger, admin_user):
    _shop, _product, variant = make_stall(owner)
    spam = review_of(variant, rating=1, text="Buy cheaper elsewhere!")
    rude = review_of(variant, rating=1, text="Rude words")
    spam_report, _ = review_services.review_report(review=spam, actor=stranger, reason="spam")
    review_services.review_report(review=rude, actor=stranger, reason="abuse")
    assert unread(admin_user, "moderation.report").count() == 2

    review_services.report_keep(report=spam_report, actor=admin_user, reason="An opinion.")
    assert unread(admin_user, "moderation.report").count() == 2  # one report still waits

    review_services.review_hide(review=rude, actor=admin_user, reason="Abuse.")
    assert not unread(admin_user, "moderation.report").exists()


def test_update_report_notifications_are_read_once_their_queue_is_empty(
    owner, stranger, admin_user
):
    update = updates.update_post(
        shop=ShopFactory(owner=owner), actor=owner, text="Miracle tea cures colds!"
    )
    updates.update_report(update=update, reporter=stranger, reason="misleading")

    updates.update_hide(update=update, actor=admin_user, reason="Health claims.")

    assert not unread(admin_user, "moderation.report").exists()
