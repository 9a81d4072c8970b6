"""The registry of kinds, and that every registered kind can be shown and mailed."""

import pytest
from django.template.loader import get_template

from microstore.notifications.kinds import Category, Kind, UnknownKind, all_kinds, get_kind
from microstore.notifications.kinds import register_kind as register


def test_a_kind_is_registered_once():
    with pytest.raises(ValueError, match="already registered"):
        register(Kind(key="images.failed", label="Again", category=Category.SHOP))


def test_a_kind_names_only_known_channels():
    with pytest.raises(ValueError, match="unknown channels"):
        register(Kind(key="test.pigeon", label="Pigeon", category="shop", channels=("pigeon",)))


def test_an_unknown_kind_says_what_is_known():
    with pytest.raises(UnknownKind, match=r"account\.welcome"):
        get_kind("orders.teleported")


def test_the_kinds_this_issue_asks_for_are_registered():
    keys = {kind.key for kind in all_kinds()}

    assert {"account.welcome", "images.failed", "square.news"} <= keys
    assert not get_kind("square.news").email_default


@pytest.mark.parametrize("kind", all_kinds(), ids=lambda kind: kind.key)
def test_every_kind_has_its_templates(kind):
    for name in (
        f"notifications/kinds/{kind.key}.html",
        f"emails/{kind.key}.subject.txt",
        f"emails/{kind.key}.txt",
        f"emails/{kind.key}.html",
    ):
        get_template(name)  # raises TemplateDoesNotExist
