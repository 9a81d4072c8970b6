"""The demo stalls are opened through the real services and pipeline, once."""

import pytest

from microstore import demo
from microstore.images.models import Status as ImageStatus
from shops.models import Follow, Shop, Status

pytestmark = pytest.mark.django_db


def test_demo_stalls_with_processed_pictures_one_on_holiday_and_followed(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()  # idempotent

    shops = Shop.objects.select_related("logo", "banner")
    assert shops.count() == len(demo.STALLS)
    laogao = shops.get(slug="lao-gao-de-cha-ye-pu")
    assert laogao.region == "fujian"
    assert laogao.members.get().user.email == "laogao@example.com"
    for shop in shops:
        assert shop.logo.status == ImageStatus.READY
        assert shop.banner.status == ImageStatus.READY
    assert shops.filter(status=Status.PAUSED).count() == 1
    assert Follow.objects.filter(user__email="xiaomei@example.com").count() == 2
    assert laogao.followers_count == 1


def test_demo_badges_in_every_state(django_capture_on_commit_callbacks):
    from shops.models import Verification

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()

    def stall(email):
        return Shop.objects.get(members__user__email=email)

    laogao = stall("laogao@example.com")
    assert laogao.identity_badge() and laogao.business_badge()
    assert stall("qinling@example.com").identity_badge()
    waiting = Verification.objects.get(shop=stall("jingdezhen@example.com"))
    assert waiting.status == Verification.Status.PENDING
    turned_down = Verification.objects.get(shop=stall("puer@example.com"))
    assert turned_down.status == Verification.Status.REJECTED and turned_down.reason
    assert turned_down.document  # the licence photo, in the private storage
