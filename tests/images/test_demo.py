"""Demo people get Pillow-drawn profile photos, processed by the real pipeline."""

import pytest

from microstore import demo
from microstore.accounts.models import User
from microstore.images.models import Image, Status
from tests.images.conftest import rendition_files

pytestmark = pytest.mark.django_db


def test_seeding_gives_everyone_a_processed_profile_photo_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()

    people = User.objects.select_related("avatar")
    assert people.count() == len(demo.PEOPLE)
    for person in people:
        assert person.avatar.status == Status.READY
        assert person.avatar.purpose == "avatar"
        assert (person.avatar.width, person.avatar.height) == (512, 512)
    files = rendition_files()

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()

    # idempotent: one photo per person, a logo and a banner per stall, nothing more
    # (the demo goods', reviews' and stall updates' photos are counted by their own demo tests)
    own = Image.objects.exclude(purpose__in=["product", "review", "update"])
    assert own.count() == len(demo.PEOPLE) + 2 * len(demo.STALLS)
    assert rendition_files() == files


def test_avatars_are_drawn_not_downloaded():
    data = demo.draw_avatar("老高的茶叶铺 Lao Gao")

    assert data.startswith(b"\xff\xd8\xff")
    assert data != demo.draw_avatar("小美 Xiao Mei", variant=1)
