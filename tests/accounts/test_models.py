import threading

import pytest
from allauth.account.models import EmailAddress
from django.db import IntegrityError, connection, transaction

from microstore.accounts.models import User

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
    barrier = threading.Barrier(2)
    outcomes = []

    def sign_up(email):
        try:
            barrier.wait(timeout=5)
            with transaction.atomic():
                User.objects.create_user(email, "pw-123456789", display_name="Mei")
            outcomes.append("created")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(e,)) for e in ("mei@x.cn", "MEI@x.cn")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(outcomes) == ["created", "refused"]
    assert User.objects.filter(email="mei@x.cn").count() == 1
