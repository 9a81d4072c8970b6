"""Stall updates: posting (members only, a daily limit), "My square", muting and reports."""

from datetime import timedelta
from functools import partial
from uuid import uuid4

import pytest
from django.contrib.admin import helpers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from microstore.errors import DomainError
from shops import services, updates
from shops.models import Mute, StallUpdate, UpdateReport
from tests.factories import ShopFactory, UserFactory
from tests.parallel import at_once
from tests.shops.conftest import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(owner):
    return ShopFactory(owner=owner, name="老高的茶叶铺", slug="lao-gao")


def photo(name="p.png", size=400):
    return SimpleUploadedFile(name, png_bytes(size, size), content_type="image/png")


def post(shop, text, *, photos=(), at=None):
    update = updates.update_post(
        shop=shop, actor=shop.members.get().user, text=text, photos=list(photos)
    )
    if at is not None:
        StallUpdate.objects.filter(pk=update.pk).update(created_at=at)
    return update


# --- posting ------------------------------------------------------------------------------------


def test_a_member_posts_an_update_with_photos_and_it_shows_on_the_stall_page(client, owner, shop):
    client.force_login(owner)
    url = reverse("shops:updates-manage", args=[shop.slug])

    response = client.post(
        url, {"text": "New harvest of Tieguanyin!", "photos": [photo("a.png"), photo("b.png")]}
    )

    assert response.status_code == 302
    update = shop.updates.get()
    assert update.text == "New harvest of Tieguanyin!" and update.author == owner
    assert [p.image.purpose for p in update.photos.all()] == ["update", "update"]
    page = client.get(shop.get_absolute_url())
    assert "New harvest of Tieguanyin!" in page.text
    assert reverse("shops:updates", args=[shop.slug]) in page.text


def test_a_too_small_photo_is_refused_with_a_clear_message(client, owner, shop):
    client.force_login(owner)

    response = client.post(
        reverse("shops:updates-manage", args=[shop.slug]),
        {"text": "Look", "photos": [photo(size=100)]},
    )

    assert response.status_code == 400
    assert "at least 400 px" in response.text
    assert not shop.updates.exists()


def test_a_stranger_gets_404_on_the_updates_dashboard(client, stranger, shop):
    client.force_login(stranger)
    url = reverse("shops:updates-manage", args=[shop.slug])

    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "spam"}).status_code == 404
    assert not shop.updates.exists()


def test_a_visitor_is_sent_to_log_in_before_posting(client, shop):
    response = client.get(reverse("shops:updates-manage", args=[shop.slug]))

    assert response.status_code == 302 and reverse("account_login") in response.url


def test_the_daily_limit_is_a_rolling_24_hours_with_a_clear_message(client, owner, shop, settings):
    settings.SHOP_UPDATES_PER_DAY = 2
    now = timezone.now()
    post(shop, "one", at=now - timedelta(hours=25))  # outside the window
    post(shop, "two", at=now - timedelta(hours=23))
    post(shop, "three")
    client.force_login(owner)

    response = client.post(reverse("shops:updates-manage", args=[shop.slug]), {"text": "four"})

    assert response.status_code == 400
    assert "2 updates in the last 24 hours" in response.text
    assert shop.updates.count() == 3
    # Once the oldest one in the window is more than 24 hours old, the stall may post again.
    StallUpdate.objects.filter(text="two").update(created_at=now - timedelta(hours=24, minutes=1))
    assert (
        client.post(reverse("shops:updates-manage", args=[shop.slug]), {"text": "four"}).status_code
        == 302
    )


def test_an_empty_or_too_long_update_is_refused(client, owner, shop):
    client.force_login(owner)
    url = reverse("shops:updates-manage", args=[shop.slug])

    assert client.post(url, {"text": "   "}).status_code == 400
    assert client.post(url, {"text": "x" * 1001}).status_code == 400
    assert not shop.updates.exists()


def test_a_closed_stall_cannot_post(shop):
    shop.status = "closed"
    shop.save()

    with pytest.raises(Exception, match="closed stall"):
        post(shop, "still here")


# --- the stall page and its updates list ---------------------------------------------------------


def test_the_stall_page_shows_the_newest_few_and_the_list_shows_all(client, shop):
    now = timezone.now()
    for n in range(5):
        post(shop, f"update number {n}", at=now - timedelta(days=5 - n))

    page = client.get(shop.get_absolute_url()).text
    listing = client.get(reverse("shops:updates", args=[shop.slug])).text

    assert "update number 4" in page and "update number 2" in page
    assert "update number 1" not in page
    assert listing.index("update number 4") < listing.index("update number 0")


def test_the_updates_list_of_an_unknown_or_closed_stall_is_404(client, shop):
    assert client.get(reverse("shops:updates", args=["nope"])).status_code == 404
    shop.status = "closed"
    shop.save()
    assert client.get(reverse("shops:updates", args=[shop.slug])).status_code == 404


def test_update_text_is_escaped_everywhere(client, buyer, shop):
    services.follow(user=buyer, shop=shop)
    post(shop, '<script>alert("x")</script><img src=x onerror=alert(1)>')
    client.force_login(buyer)

    pages = [
        client.get(shop.get_absolute_url()).text,
        client.get(reverse("shops:updates", args=[shop.slug])).text,
        client.get(reverse("shops:square-mine")).text,
    ]

    for text in pages:
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "&lt;script&gt;alert" in text


# --- My square -----------------------------------------------------------------------------------


def test_my_square_shows_followed_stalls_newest_first_and_nothing_else(client, buyer, shop):
    honey = ShopFactory(name="张蜜的蜂蜜")
    other = ShopFactory(name="Not followed")
    services.follow(user=buyer, shop=shop)
    services.follow(user=buyer, shop=honey)
    now = timezone.now()
    post(shop, "tea is in", at=now - timedelta(hours=3))
    post(honey, "honey is in", at=now - timedelta(hours=1))
    post(other, "not for you")
    hidden = post(shop, "hidden one")
    updates.update_hide(update=hidden, actor=None, reason="spam")
    client.force_login(buyer)

    response = client.get(reverse("shops:square-mine"))

    assert response.status_code == 200
    assert response.text.index("honey is in") < response.text.index("tea is in")
    assert "not for you" not in response.text and "hidden one" not in response.text


def test_my_square_is_paginated(client, buyer, shop, settings):
    settings.SHOP_UPDATES_PER_DAY = 100
    services.follow(user=buyer, shop=shop)
    for n in range(25):
        post(shop, f"item-{n:02d}")
    client.force_login(buyer)

    first = client.get(reverse("shops:square-mine")).text
    second = client.get(reverse("shops:square-mine"), {"page": 2}).text

    assert "item-24" in first and "item-04" not in first
    assert "item-04" in second and "item-24" not in second


def test_my_square_needs_a_login(client):
    response = client.get(reverse("shops:square-mine"))

    assert response.status_code == 302 and reverse("account_login") in response.url


def test_muting_leaves_a_stall_out_without_unfollowing_and_unmuting_brings_it_back(
    client, buyer, shop
):
    services.follow(user=buyer, shop=shop)
    post(shop, "tea is in")
    client.force_login(buyer)

    response = client.post(reverse("shops:mute", args=[shop.slug]))
    feed = client.get(reverse("shops:square-mine")).text

    assert response.status_code == 302
    assert "tea is in" not in feed
    assert "Muted stalls" in feed and reverse("shops:unmute", args=[shop.slug]) in feed
    assert shop.follows.filter(user=buyer).exists()

    client.post(reverse("shops:unmute", args=[shop.slug]))
    assert "tea is in" in client.get(reverse("shops:square-mine")).text


def test_mute_by_htmx_answers_with_the_unmute_button(client, buyer, shop):
    client.force_login(buyer)

    response = client.post(reverse("shops:mute", args=[shop.slug]), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert reverse("shops:unmute", args=[shop.slug]) in response.text
    assert Mute.objects.filter(user=buyer, shop=shop).count() == 1


def test_mute_of_an_unknown_stall_is_404_and_needs_post(client, buyer, shop):
    client.force_login(buyer)

    assert client.post(reverse("shops:mute", args=["nope"])).status_code == 404
    assert client.post(reverse("shops:unmute", args=["nope"])).status_code == 404
    assert client.get(reverse("shops:mute", args=[shop.slug])).status_code == 405


@pytest.mark.parametrize("followed", [1, 50])
def test_my_square_queries_do_not_grow_with_followed_stalls(
    client, buyer, followed, django_assert_max_num_queries
):
    for n in range(followed):
        stall = ShopFactory()
        services.follow(user=buyer, shop=stall)
        post(stall, f"news {n}", photos=[photo()] if n >= followed - 5 else ())
        if n % 10 == 9:
            updates.mute(user=buyer, shop=stall)
    client.force_login(buyer)

    with django_assert_max_num_queries(7):
        response = client.get(reverse("shops:square-mine"))

    assert response.status_code == 200
    newest = followed - 1 if followed == 1 else followed - 2  # the 50th stall is muted
    assert f"news {newest}" in response.text
    assert response.text.count('class="card stall-update"') == min(followed, 20)


# --- reports and the moderators' queue ------------------------------------------------------------


def test_a_report_reaches_the_admin_queue_and_hiding_takes_the_update_down(
    client, buyer, admin_user, shop
):
    services.follow(user=buyer, shop=shop)
    update = post(shop, "Miracle tea cures everything")
    client.force_login(buyer)

    response = client.post(
        reverse("shops:update-report", args=[update.public_id]),
        {"reason": "misleading", "note": "health claims"},
    )
    again = client.post(reverse("shops:update-report", args=[update.public_id]), {"reason": "spam"})

    assert response.status_code == 302
    assert again.status_code == 400 and "reported this update already" in again.text
    report = UpdateReport.objects.get()
    assert (report.reporter, report.reason, report.status) == (buyer, "misleading", "open")

    client.force_login(admin_user)
    queue = client.get(reverse("admin:shops_updatereport_changelist"))
    assert queue.status_code == 200 and "Miracle tea" in queue.text
    done = client.post(
        reverse("admin:shops_updatereport_changelist"),
        {
            "action": "hide_updates",
            helpers.ACTION_CHECKBOX_NAME: [report.pk],
            "apply": "Confirm",
            "reason": "Health claims are not allowed.",
        },
    )

    assert done.status_code == 302
    update.refresh_from_db()
    report.refresh_from_db()
    assert update.status == "hidden" and update.hidden_reason == "Health claims are not allowed."
    assert report.status == "hidden"
    assert report.decided_by == admin_user and report.decided_at is not None  # the audit trail
    seller = shop.members.get().user
    assert seller.notifications.filter(kind="shops.update_hidden").count() == 1
    assert "Miracle tea" not in client.get(shop.get_absolute_url()).text
    client.force_login(buyer)
    assert "Miracle tea" not in client.get(reverse("shops:square-mine")).text
    # The seller still sees it on the dashboard, with the moderators' reason.
    client.force_login(shop.members.get().user)
    dashboard = client.get(reverse("shops:updates-manage", args=[shop.slug])).text
    assert "Miracle tea" in dashboard and "Health claims are not allowed." in dashboard


def test_hiding_needs_a_reason_and_keeping_closes_the_reports(client, buyer, admin_user, shop):
    update = post(shop, "Fine tea")
    report = updates.update_report(update=update, reporter=buyer, reason="spam")
    client.force_login(admin_user)
    url = reverse("admin:shops_updatereport_changelist")

    no_reason = client.post(
        url,
        {"action": "hide_updates", helpers.ACTION_CHECKBOX_NAME: [report.pk], "apply": "Confirm"},
    )
    kept = client.post(
        url,
        {"action": "keep_updates", helpers.ACTION_CHECKBOX_NAME: [report.pk], "apply": "Confirm"},
    )

    assert no_reason.status_code == 400
    report.refresh_from_db()
    update.refresh_from_db()
    assert kept.status_code == 302
    assert report.status == "kept" and update.status == "visible"
    assert report.decided_by == admin_user
    page = client.get(reverse("admin:shops_updatereport_change", args=[report.pk]))
    assert page.status_code == 200 and "Decided by" in page.text  # shown on the report's page


def test_sellers_cannot_report_their_own_update_and_hidden_or_unknown_ones_are_404(
    client, owner, buyer, shop
):
    update = post(shop, "ours")
    client.force_login(owner)
    own = client.post(reverse("shops:update-report", args=[update.public_id]), {"reason": "spam"})
    assert own.status_code == 400 and not UpdateReport.objects.exists()

    client.force_login(buyer)
    assert client.get(reverse("shops:update-report", args=[uuid4()])).status_code == 404
    updates.update_hide(update=update, actor=None, reason="gone")
    assert client.get(reverse("shops:update-report", args=[update.public_id])).status_code == 404


def test_a_stranger_can_report_but_not_see_a_login_free_form(client, shop):
    update = post(shop, "hello")

    response = client.get(reverse("shops:update-report", args=[update.public_id]))

    assert response.status_code == 302 and reverse("account_login") in response.url
    other = UserFactory()
    client.force_login(other)
    assert client.get(reverse("shops:update-report", args=[update.public_id])).status_code == 200


def test_the_header_links_to_my_square_for_logged_in_users(client, buyer):
    assert reverse("shops:square-mine") not in client.get(reverse("home")).text
    client.force_login(buyer)
    assert reverse("shops:square-mine") in client.get(reverse("home")).text


def test_demo_updates_fill_xiaomeis_square_once(client, django_capture_on_commit_callbacks):
    from microstore import demo
    from microstore.accounts.models import User

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()  # idempotent

    assert StallUpdate.objects.filter(shop__members__user__email="laogao@example.com").count() == 2
    assert StallUpdate.objects.filter(shop__members__user__email="qinling@example.com").count() == 2
    assert all(p.image.is_ready for u in StallUpdate.objects.all() for p in u.photos.all())
    client.force_login(User.objects.get(email="xiaomei@example.com"))
    feed = client.get(reverse("shops:square-mine")).text
    assert feed.index("the bees stay home") < feed.index("Restocked: 2021 aged oolong")


@pytest.mark.parametrize("count", [1, 30])
def test_the_stall_page_with_updates_stays_within_its_query_bound(
    client, shop, count, settings, django_assert_max_num_queries
):
    settings.SHOP_UPDATES_PER_DAY = 100
    for n in range(count):
        post(shop, f"news {n}", photos=[photo()] if n >= count - 3 else ())
    client.force_login(UserFactory())

    # the stall page's own (session, user, bell, stall, member?, following?, goods) plus the
    # latest updates and their photos
    with django_assert_max_num_queries(9):
        response = client.get(shop.get_absolute_url())

    assert response.text.count('class="card stall-update"') == min(count, 3)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_posts_at_once_cannot_both_take_the_last_slot(settings):
    settings.SHOP_UPDATES_PER_DAY = 1
    shop = ShopFactory()
    owner = shop.members.get().user

    results = at_once(
        [partial(updates.update_post, shop=shop, actor=owner, text=f"race {n}") for n in range(2)]
    )

    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)]
    outcomes = ["refused" if isinstance(r, DomainError) else "posted" for r in results]
    assert sorted(outcomes) == ["posted", "refused"]
    assert StallUpdate.objects.filter(shop=shop).count() == 1


# --- reporting from the stall page ----------------------------------------------------------


def test_the_stall_page_offers_a_report_button_to_visitors_who_are_not_its_sellers(
    client, owner, buyer, shop
):
    update = post(shop, "Fresh Longjing today")
    report_url = reverse("shops:update-report", args=[update.public_id])

    assert report_url not in client.get(shop.get_absolute_url()).text  # anonymous
    client.force_login(owner)
    assert report_url not in client.get(shop.get_absolute_url()).text
    assert report_url not in client.get(reverse("shops:updates", args=[shop.slug])).text
    client.force_login(buyer)
    assert report_url in client.get(shop.get_absolute_url()).text
    assert report_url in client.get(reverse("shops:updates", args=[shop.slug])).text


def test_a_report_from_the_stall_page_returns_there(client, buyer, shop):
    update = post(shop, "Buy now or regret forever")
    client.force_login(buyer)
    url = reverse("shops:update-report", args=[update.public_id])
    back = shop.get_absolute_url()

    form = client.get(url, {"next": back})
    response = client.post(url, {"reason": "spam", "next": back})

    assert f'name="next" value="{back}"' in form.text
    assert response.status_code == 302 and response.url == back
    assert UpdateReport.objects.filter(update=update, reporter=buyer).exists()


def test_a_report_never_sends_anyone_to_another_site(client, buyer, shop):
    update = post(shop, "Spam spam spam")
    client.force_login(buyer)

    response = client.post(
        reverse("shops:update-report", args=[update.public_id]),
        {"reason": "spam", "next": "https://evil.example.com/"},
    )

    assert response.url == reverse("shops:square-mine")
