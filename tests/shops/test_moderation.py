"""Admins suspend and reinstate stalls, with a reason the seller reads; all of it is logged."""

import pytest
from django.contrib.admin import helpers
from django.core import mail
from django.urls import reverse

from shops import services
from shops.models import Shop, ShopEvent, Status
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

REASON = "Selling medicine without a licence."


def suspend(client, *shops, reason=REASON):
    return client.post(
        reverse("admin:shops_shop_changelist"),
        {
            "action": "suspend",
            helpers.ACTION_CHECKBOX_NAME: [shop.pk for shop in shops],
            "apply": "Confirm",
            "reason": reason,
        },
    )


def test_a_suspended_stall_leaves_the_square_and_its_seller_reads_why(
    client, owner, admin_user, django_capture_on_commit_callbacks
):
    shop = ShopFactory(name="Miracle pills", owner=owner)
    client.force_login(admin_user)
    asked = client.post(
        reverse("admin:shops_shop_changelist"),
        {"action": "suspend", helpers.ACTION_CHECKBOX_NAME: [shop.pk]},
    )
    assert asked.status_code == 200 and "Reason" in asked.text  # the intermediate page

    with django_capture_on_commit_callbacks(execute=True):
        response = suspend(client, shop)

    shop.refresh_from_db()
    assert response.status_code == 302
    assert shop.status == Status.SUSPENDED and shop.suspended_reason == REASON
    assert "Miracle pills" not in client.get(reverse("home")).text
    page = client.get(shop.get_absolute_url())
    assert page.status_code == 410
    assert "This stall is suspended." in page.text
    assert REASON not in page.text  # the reason is between the moderators and the seller
    assert REASON in mail.outbox[0].body and mail.outbox[0].to == [owner.email]
    event = ShopEvent.objects.get(shop=shop, action=ShopEvent.Action.SUSPENDED)
    assert (event.actor, event.old_status, event.note) == (admin_user, Status.OPEN, REASON)

    client.force_login(owner)
    manage = client.get(reverse("shops:manage", args=[shop.slug]))
    assert REASON in manage.text
    resumed = client.post(reverse("shops:status", args=[shop.slug]), {"status": "open"})
    edited = client.post(reverse("shops:manage", args=[shop.slug]), {"name": "Renamed"})
    shop.refresh_from_db()
    assert resumed.status_code == 302 and edited.status_code == 302
    assert shop.status == Status.SUSPENDED and shop.name == "Miracle pills"
    assert client.post(reverse("shops:follow", args=[shop.slug])).status_code == 302
    assert shop.followers_count == 0


def test_suspending_needs_a_reason(client, admin_user):
    shop = ShopFactory()
    client.force_login(admin_user)

    response = suspend(client, shop, reason="")

    assert response.status_code == 400
    assert "This field is required." in response.text
    assert Shop.objects.get(pk=shop.pk).status == Status.OPEN


def test_reinstating_returns_the_stall_to_what_it_was(client, owner, admin_user):
    shop = ShopFactory(owner=owner)
    services.shop_transition(shop=shop, to=Status.PAUSED, actor=owner)
    services.shop_suspend(shop=shop, actor=admin_user, reason=REASON)
    services.shop_suspend(shop=shop, actor=admin_user, reason=REASON)  # harmless twice
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:shops_shop_changelist"),
        {"action": "reinstate", helpers.ACTION_CHECKBOX_NAME: [shop.pk], "apply": "Confirm"},
    )

    shop.refresh_from_db()
    assert response.status_code == 302
    assert shop.status == Status.PAUSED and shop.suspended_reason == ""
    actions = list(shop.events.order_by("pk").values_list("action", flat=True))
    assert actions == ["paused", "suspended", "reinstated"]
    assert owner.notifications.filter(kind="shops.reinstated").exists()


def test_a_closed_stall_cannot_be_suspended(admin_user, owner):
    shop = ShopFactory(owner=owner, status=Status.CLOSED)

    with pytest.raises(services.DomainError):
        services.shop_suspend(shop=shop, actor=admin_user, reason=REASON)


def test_admins_filter_stalls_by_verification_and_read_the_history(client, owner, admin_user):
    verified = ShopFactory(name="Verified tea", owner=owner)
    ShopFactory(name="Unverified honey")
    request = services.verification_request(
        shop=verified,
        actor=owner,
        kind="identity",
        real_name="高建国",
        id_number="11010519491231002X",
    )
    services.verification_approve(verification=request, actor=admin_user)
    client.force_login(admin_user)
    url = reverse("admin:shops_shop_changelist")

    identity = client.get(url, {"verified": "identity"}).text
    unverified = client.get(url, {"verified": "no"}).text
    change = client.get(reverse("admin:shops_shop_change", args=[verified.pk]))
    events = client.get(reverse("admin:shops_shopevent_changelist"), {"q": "Verified tea"})

    assert "Verified tea" in identity and "Unverified honey" not in identity
    assert "Unverified honey" in unverified and "Verified tea" not in unverified
    assert change.status_code == 200 and "verification approved" in change.text
    assert events.status_code == 200 and "asked to be verified" in events.text
