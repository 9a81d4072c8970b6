"""The weekly digest: opt-in, one mail per opted-in user with news from the stalls they follow,
nothing when there is nothing new, and the unsubscribe link that stops it."""

import re
from datetime import timedelta
from decimal import Decimal
from functools import partial
from io import StringIO

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from microstore.celery import app as celery_app
from microstore.notifications.models import OutgoingEmail, Preference
from microstore.notifications.services import preference_set
from shops import services, updates
from shops.digest import digest_send, digest_send_all
from shops.models import DigestState, StallUpdate, Status
from shops.tasks import send_weekly_digests
from tests.catalog.factories import ProductFactory, VariantFactory
from tests.factories import ShopFactory, UserFactory
from tests.notifications.conftest import wait_for_mail
from tests.parallel import at_once

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
UNSUBSCRIBE_LINK = re.compile(re.escape(SITE) + r"(/notifications/unsubscribe/[^/\s]+/)")


# --- Given ----------------------------------------------------------------------------------------


def opt_in(user):
    preference_set(user=user, kind="square.digest", channel="email", enabled=True, actor=user)
    return user


def follow(user, *shops):
    for shop in shops:
        services.follow(user=user, shop=shop)
    return user


def publish(shop, title="Tieguanyin 2026", *, ago=timedelta(days=1), prices=("68.00",), **kw):
    product = ProductFactory(
        shop=shop,
        title=title,
        status=kw.pop("status", Product.Status.PUBLISHED),
        published_at=timezone.now() - ago,
        **kw,
    )
    for price in prices:
        VariantFactory(product=product, price=Decimal(price))
    return product


def post(shop, text="Spring harvest is in!", *, ago=timedelta(hours=5), hidden=False):
    update = updates.update_post(shop=shop, actor=shop.members.get().user, text=text)
    StallUpdate.objects.filter(pk=update.pk).update(
        created_at=timezone.now() - ago,
        status=StallUpdate.Status.HIDDEN if hidden else StallUpdate.Status.VISIBLE,
    )
    return update


def run(django_capture_on_commit_callbacks, **kwargs):
    """Beat's run, with the outbox's send tasks executed as they would be after the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return digest_send_all(**kwargs)


@pytest.fixture
def shop():
    return ShopFactory(name="老高的茶叶铺", slug="lao-gao")


@pytest.fixture
def reader(buyer, shop):
    """Mei Lin follows 老高's stall and switched the digest on."""
    return opt_in(follow(buyer, shop))


# --- Who gets a digest ----------------------------------------------------------------------------


def test_digest_sends_one_mail_per_opted_in_user(django_capture_on_commit_callbacks, shop):
    with_news = opt_in(follow(UserFactory(email="news@example.com"), shop))
    other = ShopFactory(name="Quiet stall")
    opt_in(follow(UserFactory(email="quiet@example.com"), other))  # opted in, nothing new
    follow(UserFactory(email="never@example.com"), shop)  # news, but never opted in
    publish(shop)
    post(shop)

    counts = run(django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [["news@example.com"]]
    assert counts == {"checked": 2, "sent": 1, "failed": 0}
    assert OutgoingEmail.objects.get().kind == "square.digest"
    assert DigestState.objects.get(user=with_news).last_sent_at is not None


def test_the_digest_is_off_until_the_user_opts_in_on_the_settings_page(
    client, buyer, shop, django_capture_on_commit_callbacks
):
    follow(buyer, shop)
    publish(shop)
    client.force_login(buyer)
    page = client.get(reverse("notifications:preferences"))
    assert "Weekly digest of the stalls you follow" in page.text
    assert not page.context["form"]["square.digest:email"].value()
    run(django_capture_on_commit_callbacks)
    assert mail.outbox == []

    response = client.post(reverse("notifications:preferences"), {"square.digest:email": "on"})

    assert response.status_code == 302
    assert "square.digest:web" not in page.context["form"].fields  # email only
    run(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[buyer.email]]


def test_the_followed_stalls_page_points_to_the_digest(client, reader):
    client.force_login(reader)

    page = client.get(reverse("shops:followed"))

    assert "Get a weekly email with their new goods and updates" in page.text
    assert reverse("notifications:preferences") in page.text


def test_an_unconfirmed_address_gets_no_digest(django_capture_on_commit_callbacks, shop):
    user = opt_in(follow(UserFactory(verified=False), shop))
    publish(shop)

    counts = run(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert counts["sent"] == 0
    assert not DigestState.objects.filter(user=user).exists()  # not even looked at


def test_an_inactive_user_gets_no_digest(django_capture_on_commit_callbacks, reader, shop):
    reader.is_active = False
    reader.save(update_fields=["is_active"])
    publish(shop)

    assert run(django_capture_on_commit_callbacks)["checked"] == 0
    assert mail.outbox == []


@pytest.mark.postgres
def test_one_users_failure_is_logged_and_the_others_still_get_theirs(
    django_capture_on_commit_callbacks, shop, caplog
):
    broken = opt_in(follow(UserFactory(email="broken@example.com"), shop))
    opt_in(follow(UserFactory(email="fine@example.com"), shop))
    publish(shop)
    with connection.cursor() as cursor:  # the database refuses the first one's state row
        cursor.execute(
            "ALTER TABLE shops_digeststate ADD CONSTRAINT digest_test_refuse "
            f"CHECK (user_id <> {int(broken.pk)})"
        )

    counts = run(django_capture_on_commit_callbacks)

    assert counts == {"checked": 2, "sent": 1, "failed": 1}
    assert [m.to for m in mail.outbox] == [["fine@example.com"]]
    assert f"The weekly digest of user {broken.pk} failed" in caplog.text


# --- What is in it --------------------------------------------------------------------------------


def test_the_mail_shows_goods_with_prices_and_updates_with_absolute_links(
    django_capture_on_commit_callbacks, reader, shop
):
    product = publish(shop, "Tieguanyin first flush", prices=("68.00",))
    publish(shop, "Aged oolong", prices=("120.00", "1280.50"), ago=timedelta(days=2))
    post(shop, "Spring harvest is in! " + "Lots of words. " * 20)

    run(django_capture_on_commit_callbacks)

    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert "老高的茶叶铺" in message.subject
    for body in (message.body, html):
        assert "Tieguanyin first flush" in body and "¥68.00" in body
        assert "Aged oolong" in body and "from ¥120.00" in body
        assert "Spring harvest is in!" in body
        assert SITE + product.get_absolute_url() in body
        assert SITE + reverse("shops:updates", args=[shop.slug]) + "#update-" in body
        assert SITE + reverse("shops:square-mine") in body
        assert SITE + reverse("notifications:preferences") in body
    assert "Lots of words. " * 20 not in message.body  # the update is cut short
    links = re.findall(r'href="([^"]+)"', html)
    assert links and all(link.startswith(SITE) for link in links)
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{SITE}/notifications/")


def test_a_long_week_is_summed_up_with_and_n_more(django_capture_on_commit_callbacks, reader):
    stalls = [ShopFactory(name=f"Stall number {n}") for n in range(7)]
    follow(reader, *stalls)
    for n, stall in enumerate(stalls):
        for i in range(5):
            publish(stall, f"Good {n}-{i}", ago=timedelta(hours=10 * n + i + 1))
    for i in range(4):  # a day apart: a stall posts at most three updates a day
        post(stalls[0], f"News {i}", ago=timedelta(days=i, minutes=10))

    run(django_capture_on_commit_callbacks)

    body = mail.outbox[0].body
    assert "news from Stall number 0 and 6 more stalls" in mail.outbox[0].subject
    shown = [n for n in range(7) if f"Stall number {n}" in body]
    assert shown == [0, 1, 2, 3, 4]  # the most recently active five
    assert "and 2 more new goods" in body and "and 1 more update" in body
    assert "Good 0-0" in body and "Good 0-3" not in body
    assert "and news from 2 more stalls you follow" in body


def test_muted_stalls_are_left_out(django_capture_on_commit_callbacks, reader, shop):
    loud = ShopFactory(name="Loud stall")
    follow(reader, loud)
    updates.mute(user=reader, shop=loud)
    post(loud, "Buy buy buy")
    publish(loud, "Loud thing")
    publish(shop, "Quiet tea")

    run(django_capture_on_commit_callbacks)

    body = mail.outbox[0].body
    assert "Quiet tea" in body
    assert "Loud" not in body and "Buy buy buy" not in body


def test_only_muted_news_sends_nothing(django_capture_on_commit_callbacks, reader, shop):
    updates.mute(user=reader, shop=shop)
    publish(shop)

    run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


@pytest.mark.parametrize("status", [Status.CLOSED, Status.SUSPENDED])
def test_closed_and_suspended_stalls_are_left_out(
    django_capture_on_commit_callbacks, reader, shop, status
):
    gone = ShopFactory(name="Gone stall")
    follow(reader, gone)
    publish(gone, "Gone tea")
    post(gone, "Last words")
    gone.__class__.objects.filter(pk=gone.pk).update(status=status)
    publish(shop, "Open tea")

    run(django_capture_on_commit_callbacks)

    body = mail.outbox[0].body
    assert "Open tea" in body and "Gone" not in body and "Last words" not in body


def test_a_stall_on_holiday_still_shows_its_news(django_capture_on_commit_callbacks, reader, shop):
    publish(shop, "Holiday tea")
    shop.__class__.objects.filter(pk=shop.pk).update(status=Status.PAUSED)

    run(django_capture_on_commit_callbacks)

    assert "Holiday tea" in mail.outbox[0].body


def test_hidden_updates_and_draft_or_hidden_goods_are_left_out(
    django_capture_on_commit_callbacks, reader, shop
):
    publish(shop, "Draft tea", status=Product.Status.DRAFT)
    publish(shop, "Hidden tea", status=Product.Status.HIDDEN)
    post(shop, "Hidden words", hidden=True)

    run(django_capture_on_commit_callbacks)
    assert mail.outbox == []

    post(shop, "Visible words")
    run(django_capture_on_commit_callbacks)

    body = mail.outbox[0].body
    assert "Visible words" in body
    assert "Draft tea" not in body and "Hidden tea" not in body and "Hidden words" not in body


# --- When ---------------------------------------------------------------------------------------


def test_the_first_digest_looks_back_one_week_only(
    django_capture_on_commit_callbacks, reader, shop
):
    publish(shop, "Eight days old", ago=timedelta(days=8))
    post(shop, "Seven days and an hour old", ago=timedelta(days=7, hours=1))

    run(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert DigestState.objects.get(user=reader).last_checked_at is not None

    publish(shop, "Six days old", ago=timedelta(days=6))
    run(django_capture_on_commit_callbacks)

    body = mail.outbox[0].body
    assert "Six days old" in body and "Eight days old" not in body and "Seven days" not in body


def test_a_second_run_the_same_week_sends_nothing_and_next_week_only_the_new(
    django_capture_on_commit_callbacks, reader, shop
):
    publish(shop, "Old news")
    now = timezone.now()
    run(django_capture_on_commit_callbacks, now=now)
    run(django_capture_on_commit_callbacks, now=now)
    run(django_capture_on_commit_callbacks, now=now + timedelta(hours=1))
    assert len(mail.outbox) == 1

    publish(shop, "Fresh news", ago=-timedelta(days=3))  # published after this week's digest
    run(django_capture_on_commit_callbacks, now=now + timedelta(days=7))

    assert len(mail.outbox) == 2
    assert "Fresh news" in mail.outbox[1].body and "Old news" not in mail.outbox[1].body


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_two_runs_at_once_send_one_digest(shop):
    reader = opt_in(follow(UserFactory(), shop))
    publish(shop)
    now = timezone.now()

    results = at_once([partial(digest_send, user=reader, now=now)] * 2, timeout=30)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(results) == [False, True]
    assert OutgoingEmail.objects.filter(kind="square.digest").count() == 1
    assert len(mail.outbox) == 1


# --- Unsubscribing --------------------------------------------------------------------------------


def test_the_unsubscribe_link_in_the_digest_stops_the_next_one(
    client, django_capture_on_commit_callbacks, reader, shop
):
    publish(shop)
    now = timezone.now()
    run(django_capture_on_commit_callbacks, now=now)
    path = UNSUBSCRIBE_LINK.search(mail.outbox[0].body).group(1)
    assert UNSUBSCRIBE_LINK.search(mail.outbox[0].alternatives[0][0]).group(1) == path

    assert "Weekly digest of the stalls you follow" in client.get(path).text
    assert "You are unsubscribed" in client.post(path).text

    assert not Preference.objects.get(user=reader, kind="square.digest").enabled
    publish(shop, "Next week's tea", ago=-timedelta(days=3))
    assert run(django_capture_on_commit_callbacks, now=now + timedelta(days=7))["checked"] == 0
    assert len(mail.outbox) == 1


# --- Beat, the worker and the command -------------------------------------------------------------


def test_beat_sends_digests_on_monday_morning_in_the_sites_time_zone():
    entry = settings.CELERY_BEAT_SCHEDULE["shops-weekly-digest"]

    assert entry["task"] in celery_app.tasks
    assert entry["task"] == send_weekly_digests.name
    assert entry["schedule"] == crontab(day_of_week=1, hour=8, minute=7)
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE
    assert str(celery_app.timezone) == settings.TIME_ZONE


def test_a_real_worker_sends_the_digest_through_redis(running_worker, shop):
    reader = opt_in(follow(UserFactory(email="mei@example.com"), shop))
    publish(shop, "Worker tea")

    send_weekly_digests.delay()

    [message] = wait_for_mail(1)
    assert message.to == [reader.email]
    assert "Worker tea" in message.body
    assert OutgoingEmail.objects.get().status == "sent"


def test_the_send_digests_command_sends_now(django_capture_on_commit_callbacks, reader, shop):
    publish(shop)

    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", stdout=out)

    assert "1 sent" in out.getvalue()
    assert len(mail.outbox) == 1


# --- Queries ------------------------------------------------------------------------------------


QUERIES_PER_DIGEST = 18  # 13 statements and 5 savepoints


@pytest.mark.parametrize("stall_count", [1, 10])
def test_a_digest_takes_a_bounded_number_of_queries(stall_count, django_assert_max_num_queries):
    reader = opt_in(UserFactory())
    for n in range(stall_count):
        stall = ShopFactory()
        follow(reader, stall)
        publish(stall, f"Tea {n}")
        post(stall, f"News {n}")

    with django_assert_max_num_queries(QUERIES_PER_DIGEST):
        assert digest_send(user=reader)


def test_a_digest_takes_as_many_queries_for_ten_stalls_as_for_one():
    def queries(stall_count: int) -> int:
        reader = opt_in(UserFactory())
        for n in range(stall_count):
            stall = ShopFactory()
            follow(reader, stall)
            publish(stall, f"Tea {n}")
            post(stall, f"News {n}")
        with CaptureQueriesContext(connection) as captured:
            assert digest_send(user=reader)
        return len(captured)

    assert queries(1) == queries(10)


# --- Demo ---------------------------------------------------------------------------------------


def test_the_demo_shopper_has_the_digest_on_and_seeding_sends_none(
    django_capture_on_commit_callbacks,
):
    from microstore import demo

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()

    assert Preference.objects.get(user__email="xiaomei@example.com", kind="square.digest").enabled
    assert not OutgoingEmail.objects.filter(kind="square.digest").exists()

    mail.outbox.clear()  # the demo's orders and reviews mailed their sellers
    run(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["xiaomei@example.com"]]


def test_beat_hands_the_digests_to_the_workers_in_batches(
    monkeypatch, shop, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("shops.digest.BATCH", 2)
    readers = [opt_in(follow(UserFactory(), shop)) for _ in range(5)]
    UserFactory()  # not opted in: in no batch
    publish(shop, "Batch tea")

    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        batches = send_weekly_digests.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        again = send_weekly_digests.delay().get()

    assert batches == 3  # 2 + 2 + 1 readers
    assert sum("send_digest_batch" in repr(callback) for callback in enqueued) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in readers)
    assert again == 3 and len(mail.outbox) == 5  # the second run found nothing new
