import pytest
from django.urls import reverse

from shops import services
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def test_admins_find_stalls_by_owner_email_and_filter_by_status_and_region(client, admin_user):
    owner_shop = ShopFactory(name="Anxi tea", region="fujian")
    ShopFactory(name="Qinling honey", region="shaanxi", status="paused")
    owner_email = owner_shop.members.get().user.email
    client.force_login(admin_user)
    url = reverse("admin:shops_shop_changelist")

    by_email = client.get(url, {"q": owner_email})
    filtered = client.get(url, {"status__exact": "paused", "region__exact": "shaanxi"})

    assert by_email.status_code == 200
    assert "Anxi tea" in by_email.text and "Qinling honey" not in by_email.text
    assert "Qinling honey" in filtered.text and "Anxi tea" not in filtered.text
    assert client.get(reverse("admin:shops_shop_change", args=[owner_shop.pk])).status_code == 200


def test_admins_see_follows(client, admin_user, buyer):
    shop = ShopFactory(name="Anxi tea")
    services.follow(user=buyer, shop=shop)
    client.force_login(admin_user)

    response = client.get(reverse("admin:shops_follow_changelist"), {"q": "Anxi"})

    assert response.status_code == 200
    assert str(buyer) in response.text
