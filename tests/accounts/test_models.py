from functools import partial

import pytest
from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction

from microstore.accounts.models import User
from tests.parallel import at_once

pytestmark = pytest.mark.django_db


def test_emails_are_stored_lower_cased():
    user = User.objects.create_user("Mei.Lin@Example.COM", "pw-123456789", display_name="Mei")

    assert user.email == "mei.lin@example.com"


def test_the_database_refuses_a_mixed_case_email():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="Mei@example.com", display_name="Mei")])


def test_a_superuser_made_on_the_command_line_can_log_in_at_once():
    admin = User.objects.create_superuser("root@example.com", "pw-123456789", display_name="Root")

    assert admin.is_staff and admin.is_superuser
    assert EmailAddress.objects.get(user=admin).verified


def test_str_is_the_display_name():
    assert str(User(email="a@example.com", display_name="老高")) == "老高"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sign_ups_with_one_address_make_one_account():
    def sign_up(email):
        with transaction.atomic():
            return User.objects.create_user(email, "pw-123456789", display_name="Mei")

    results = at_once([partial(sign_up, e) for e in ("mei@x.cn", "MEI@x.cn")], timeout=10)

    assert not [
        r for r in results if isinstance(r, Exception) and not isinstance(r, IntegrityError)
    ]
    outcomes = ["refused" if isinstance(r, IntegrityError) else "created" for r in results]
    assert sorted(outcomes) == ["created", "refused"]
    assert User.objects.filter(email="mei@x.cn").count() == 1
