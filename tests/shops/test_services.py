import pytest
from django.db import IntegrityError, transaction

from microstore.errors import DomainError
from shops import services
from shops.models import Follow, Shop, ShopMember, ShopSlug, Status
from tests.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = {"name": "老高的茶叶铺", "tagline": "Anxi oolong", "region": "fujian", "city": "Anxi"}


# --- slugs ---------------------------------------------------------------------------------


def test_a_chinese_name_gets_a_readable_pinyin_slug(owner):
    shop = services.shop_open(actor=owner, **PROFILE)

    assert shop.slug == "lao-gao-de-cha-ye-pu"
    assert len(shop.code) == 6
    assert set(shop.code) <= set("23456789abcdefghjkmnpqrstuvwxyz")
    assert shop.get_absolute_url() == "/stalls/lao-gao-de-cha-ye-pu/"


def test_mixed_and_symbol_names_become_lowercase_ascii(owner):
    assert services.slug_base("Tea & Honey 蜂蜜!") == "tea-honey-feng-mi"
    assert services.slug_base("★★★") == "stall"


def test_the_same_name_twice_gets_a_numbered_slug(owner, buyer):
    first = services.shop_open(actor=owner, **PROFILE)
    second = services.shop_open(actor=buyer, **PROFILE)

    assert first.slug == "lao-gao-de-cha-ye-pu"
    assert second.slug == "lao-gao-de-cha-ye-pu-2"
    assert first.code != second.code


def test_a_rename_keeps_the_old_slug_as_a_redirect(owner):
    shop = services.shop_open(actor=owner, **PROFILE)

    shop = services.shop_update(shop=shop, actor=owner, **{**PROFILE, "name": "高家茶园"})

    assert shop.slug == "gao-jia-cha-yuan"
    assert list(ShopSlug.objects.values_list("slug", flat=True)) == ["lao-gao-de-cha-ye-pu"]


def test_an_old_slug_is_not_given_to_another_stall(owner, buyer):
    shop = services.shop_open(actor=owner, **PROFILE)
    services.shop_update(shop=shop, actor=owner, **{**PROFILE, "name": "高家茶园"})

    other = services.shop_open(actor=buyer, **PROFILE)

    assert other.slug == "lao-gao-de-cha-ye-pu-2"


def test_renaming_back_makes_the_old_slug_current_again(owner):
    shop = services.shop_open(actor=owner, **PROFILE)
    shop = services.shop_update(shop=shop, actor=owner, **{**PROFILE, "name": "高家茶园"})

    shop = services.shop_update(shop=shop, actor=owner, **PROFILE)

    assert shop.slug == "lao-gao-de-cha-ye-pu"
    assert list(ShopSlug.objects.values_list("slug", flat=True)) == ["gao-jia-cha-yuan"]


def test_a_stall_cannot_take_the_slug_of_the_open_form(owner):
    assert services.shop_open(actor=owner, **{**PROFILE, "name": "Open"}).slug == "open-2"


# --- opening -------------------------------------------------------------------------------


def test_one_stall_per_user(owner):
    services.shop_open(actor=owner, **PROFILE)

    with pytest.raises(DomainError, match="already have a stall"):
        services.shop_open(actor=owner, **{**PROFILE, "name": "Second"})
    assert Shop.objects.count() == 1


def test_the_database_also_refuses_a_second_owned_stall(owner):
    ShopFactory(owner=owner)
    other = ShopFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ShopMember.objects.create(shop=other, user=owner, role=ShopMember.Role.OWNER)


def test_staff_of_another_stall_may_still_own_one(owner):
    ShopMember.objects.create(shop=ShopFactory(), user=owner, role=ShopMember.Role.STAFF)

    shop = services.shop_open(actor=owner, **PROFILE)

    assert shop.members.get().user == owner


def test_unknown_shipping_regions_are_refused(owner):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.shop_open(actor=owner, shipping_regions=["atlantis"], **PROFILE)


# --- status --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (Status.OPEN, Status.PAUSED),
        (Status.PAUSED, Status.OPEN),
        (Status.OPEN, Status.CLOSED),
        (Status.PAUSED, Status.CLOSED),
    ],
)
def test_legal_moves(owner, start, to):
    shop = ShopFactory(owner=owner, status=start)

    shop = services.shop_transition(shop=shop, to=to, actor=owner)

    assert Shop.objects.get(pk=shop.pk).status == to


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (Status.CLOSED, Status.OPEN),
        (Status.CLOSED, Status.PAUSED),
        (Status.SUSPENDED, Status.OPEN),
    ],
)
def test_illegal_moves_are_refused(owner, start, to):
    shop = ShopFactory(owner=owner, status=start)

    with pytest.raises(services.InvalidTransition):
        services.shop_transition(shop=shop, to=to, actor=owner)
    assert Shop.objects.get(pk=shop.pk).status == start


def test_the_same_move_twice_is_harmless(owner):
    shop = ShopFactory(owner=owner)
    services.shop_transition(shop=shop, to=Status.PAUSED, actor=owner)

    shop = services.shop_transition(shop=shop, to=Status.PAUSED, actor=owner)

    assert shop.status == Status.PAUSED


# --- following -----------------------------------------------------------------------------


def test_following_counts_and_double_follow_is_harmless(buyer, stranger):
    shop = ShopFactory()

    services.follow(user=buyer, shop=shop)
    services.follow(user=buyer, shop=shop)
    shop = services.follow(user=stranger, shop=shop)

    assert shop.followers_count == 2
    assert Follow.objects.filter(shop=shop).count() == 2


def test_unfollow_is_idempotent_and_never_goes_below_zero(buyer):
    shop = ShopFactory()
    services.follow(user=buyer, shop=shop)

    services.unfollow(user=buyer, shop=shop)
    shop = services.unfollow(user=buyer, shop=shop)

    assert shop.followers_count == 0
    assert not Follow.objects.exists()


def test_a_closed_stall_cannot_be_followed(buyer):
    shop = ShopFactory(status=Status.CLOSED)

    with pytest.raises(DomainError):
        services.follow(user=buyer, shop=shop)


def test_a_follow_is_unique_in_the_database(buyer):
    shop = ShopFactory()
    Follow.objects.create(user=buyer, shop=shop)

    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=buyer, shop=shop)


def test_a_user_may_follow_many_stalls():
    user = UserFactory()
    for shop in ShopFactory.create_batch(3):
        services.follow(user=user, shop=shop)

    assert user.follows.count() == 3
