import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shops.models import Follow, Shop, ShopSlug, Status
from tests.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "老高的茶叶铺",
    "tagline": "Anxi oolong, from our own garden",
    "description": "Three generations of tea.",
    "region": "fujian",
    "city": "Anxi",
    "wechat_id": "laogao-tea",
    "phone": "+86 138 0000 0000",
    "return_policy": "7 days, unopened.",
    "shipping_regions": ["fujian", "zhejiang"],
}


@pytest.fixture
def shop(owner):
    return ShopFactory(owner=owner, name="老高的茶叶铺", slug="lao-gao-de-cha-ye-pu")


def manage_urls(shop):
    return [
        ("get", reverse("shops:manage", args=[shop.slug])),
        ("post", reverse("shops:manage", args=[shop.slug])),
        ("post", reverse("shops:status", args=[shop.slug])),
        ("get", reverse("shops:close", args=[shop.slug])),
        ("post", reverse("shops:close", args=[shop.slug])),
    ]


# --- who may reach "my stall" --------------------------------------------------------------


def test_the_owner_reaches_every_my_stall_page(client, owner, shop):
    client.force_login(owner)

    assert client.get(reverse("shops:manage", args=[shop.slug])).status_code == 200
    assert client.get(reverse("shops:close", args=[shop.slug])).status_code == 200
    assert client.get(reverse("shops:mine")).url == reverse("shops:manage", args=[shop.slug])


def test_a_stranger_gets_404_on_every_my_stall_url(client, stranger, shop):
    client.force_login(stranger)

    for method, url in manage_urls(shop):
        response = getattr(client, method)(url, {"status": "paused", "confirm": "yes", **FORM})
        assert response.status_code == 404, url
    assert Shop.objects.get(pk=shop.pk).status == Status.OPEN


def test_anonymous_visitors_are_sent_to_log_in(client, shop):
    for method, url in [*manage_urls(shop), ("get", reverse("shops:open"))]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url


def test_an_unconfirmed_email_gets_the_verify_page(client, shop):
    unconfirmed = UserFactory(verified=False)
    shop.members.update(user=unconfirmed)
    client.force_login(unconfirmed)

    for method, url in [*manage_urls(shop), ("get", reverse("shops:open"))]:
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
        assert "confirm" in response.text.lower(), url


# --- opening -------------------------------------------------------------------------------


def test_open_a_stall_with_a_chinese_name_and_a_logo(client, owner, logo_upload):
    client.force_login(owner)

    response = client.post(reverse("shops:open"), {**FORM, "logo": logo_upload})

    shop = Shop.objects.get()
    assert response.status_code == 302
    assert response.url == "/stalls/lao-gao-de-cha-ye-pu/"
    assert shop.logo.purpose == "shop_logo"
    assert shop.logo.owner == owner
    assert shop.shipping_regions == ["fujian", "zhejiang"]
    page = client.get(response.url)
    assert "老高的茶叶铺" in page.text
    assert "laogao-tea" in page.text  # the owner sees the WeChat ID


def test_bad_input_gets_400_with_messages_and_keeps_what_was_typed(client, owner):
    client.force_login(owner)
    bad = {**FORM, "name": "  ", "phone": "call me", "region": "atlantis"}

    response = client.post(
        reverse("shops:open"),
        {**bad, "logo": SimpleUploadedFile("logo.png", b"not a png")},
    )

    assert response.status_code == 400
    assert "This field is required." in response.text
    assert "Enter a phone number" in response.text
    assert "Select a valid choice" in response.text
    assert 'id="id_logo_error"' in response.text  # the picture is refused with a reason
    assert "Anxi oolong, from our own garden" in response.text
    assert not Shop.objects.exists()


def test_someone_with_a_stall_is_sent_to_it_instead_of_opening_another(client, owner, shop):
    client.force_login(owner)

    response = client.get(reverse("shops:open"))

    assert response.url == reverse("shops:manage", args=[shop.slug])


def test_my_stall_without_one_leads_to_the_open_form(client, buyer):
    client.force_login(buyer)

    assert client.get(reverse("shops:mine")).url == reverse("shops:open")


# --- editing and status ----------------------------------------------------------------------


def test_renaming_redirects_old_links(client, owner, shop):
    client.force_login(owner)

    client.post(reverse("shops:manage", args=[shop.slug]), {**FORM, "name": "高家茶园"})

    shop.refresh_from_db()
    assert shop.slug == "gao-jia-cha-yuan"
    old = client.get("/stalls/lao-gao-de-cha-ye-pu/")
    assert old.status_code == 301
    assert old.url == "/stalls/gao-jia-cha-yuan/"
    assert ShopSlug.objects.filter(shop=shop).count() == 1


def test_the_short_code_link_leads_to_the_current_slug(client, shop):
    response = client.get(f"/s/{shop.code}/")

    assert response.status_code == 302
    assert response.url == shop.get_absolute_url()
    assert client.get("/s/zzzzzz/").status_code == 404


def test_invalid_edit_is_400_and_keeps_the_saved_name(client, owner, shop):
    client.force_login(owner)

    response = client.post(reverse("shops:manage", args=[shop.slug]), {**FORM, "region": ""})

    assert response.status_code == 400
    assert "This field is required." in response.text
    assert Shop.objects.get(pk=shop.pk).region == "fujian"


def test_pause_and_resume(client, owner, shop):
    client.force_login(owner)
    url = reverse("shops:status", args=[shop.slug])

    client.post(url, {"status": "paused"})
    page = client.get(shop.get_absolute_url())
    assert page.status_code == 200
    assert "This stall is on holiday." in page.text

    client.post(url, {"status": "open"})
    assert Shop.objects.get(pk=shop.pk).status == Status.OPEN


def test_an_unknown_status_is_400(client, owner, shop):
    client.force_login(owner)

    response = client.post(reverse("shops:status", args=[shop.slug]), {"status": "closed"})

    assert response.status_code == 400
    assert Shop.objects.get(pk=shop.pk).status == Status.OPEN


def test_closing_asks_to_confirm_first(client, owner, shop):
    client.force_login(owner)
    url = reverse("shops:close", args=[shop.slug])

    unconfirmed = client.post(url)
    assert unconfirmed.status_code == 400
    assert Shop.objects.get(pk=shop.pk).status == Status.OPEN

    client.post(url, {"confirm": "yes"})
    assert Shop.objects.get(pk=shop.pk).status == Status.CLOSED
    page = client.get(shop.get_absolute_url())
    assert page.status_code == 410
    assert "This stall has closed." in page.text


def test_a_closed_stall_cannot_be_edited(client, owner, shop):
    shop.status = Status.CLOSED
    shop.save()
    client.force_login(owner)

    client.post(reverse("shops:manage", args=[shop.slug]), {**FORM, "name": "New name"})

    assert Shop.objects.get(pk=shop.pk).name == "老高的茶叶铺"


# --- the public page and following -------------------------------------------------------------


def test_strangers_do_not_see_the_wechat_id(client, stranger, shop):
    shop.wechat_id = "secret-wechat"
    shop.save()
    client.force_login(stranger)

    page = client.get(shop.get_absolute_url())

    assert page.status_code == 200
    assert "secret-wechat" not in page.text
    assert "Manage your stall" not in page.text


def test_an_unknown_stall_is_404(client):
    assert client.get("/stalls/no-such-stall/").status_code == 404


def test_follow_without_javascript_redirects_back(client, buyer, shop):
    client.force_login(buyer)

    response = client.post(reverse("shops:follow", args=[shop.slug]))

    assert response.status_code == 302
    assert response.url == shop.get_absolute_url()
    assert "1 follower" in client.get(shop.get_absolute_url()).text


def test_follow_with_htmx_swaps_the_button_and_count(client, buyer, shop):
    client.force_login(buyer)

    response = client.post(
        reverse("shops:follow", args=[shop.slug]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "1 follower" in response.text
    assert "Unfollow" in response.text
    assert "<html" not in response.text

    response = client.post(
        reverse("shops:unfollow", args=[shop.slug]), headers={"HX-Request": "true"}
    )
    assert "0 followers" in response.text
    assert not Follow.objects.exists()


def test_following_needs_a_login(client, shop):
    response = client.post(reverse("shops:follow", args=[shop.slug]))

    assert response.url.startswith(reverse("account_login"))
    assert not Follow.objects.exists()


def test_my_followed_stalls(client, buyer, shop, django_assert_max_num_queries):
    other = ShopFactory(name="Qinling Honey")
    ShopFactory(name="Not followed")
    client.force_login(buyer)
    client.post(reverse("shops:follow", args=[shop.slug]))
    client.post(reverse("shops:follow", args=[other.slug]))

    with django_assert_max_num_queries(6):
        page = client.get(reverse("shops:followed"))

    assert "老高的茶叶铺" in page.text
    assert "Qinling Honey" in page.text
    assert "Not followed" not in page.text


def test_no_followed_stalls_says_what_to_do(client, buyer):
    client.force_login(buyer)

    assert "You do not follow any stall yet." in client.get(reverse("shops:followed")).text
