"""The address book: add, edit, delete, one default; everyone sees only their own."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from orders.models import Address
from orders.services.cart import address_create, address_delete, address_set_default

pytestmark = pytest.mark.django_db

LIST = reverse("orders:addresses")
ADD = reverse("orders:address-add")

GOOD = {
    "recipient": "林梅",
    "mobile": "13812345678",
    "province": "shanghai",
    "city": "上海市",
    "district": "徐汇区",
    "street": "漕溪北路 88 号 3 号楼 1201 室",
    "postcode": "200030",
}


def make(user, **overrides) -> Address:
    return address_create(user=user, fields={**GOOD, **overrides})


def test_the_address_book_needs_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "login" in response.url


def test_adding_an_address_makes_the_first_one_default(client, buyer):
    client.force_login(buyer)

    response = client.post(ADD, {**GOOD, "mobile": "+86 138-1234-5678"})

    assert response.status_code == 302 and response.url == LIST
    address = Address.objects.get(user=buyer)
    assert address.is_default
    assert address.mobile == "13812345678"
    assert "漕溪北路 88 号" in client.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mobile", "12345678901", "11-digit mainland mobile number"),
        ("mobile", "1381234567", "11-digit mainland mobile number"),
        ("postcode", "2000", "A postcode has six digits."),
        ("province", "atlantis", "Select a valid choice"),
        ("recipient", "   ", "Who should receive the parcel?"),
        ("street", "", "Enter the street, building and room."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, buyer, field, value, message):
    client.force_login(buyer)

    response = client.post(ADD, {**GOOD, field: value})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Address.objects.exists()


def test_editing_an_address(client, buyer):
    address = make(buyer)
    client.force_login(buyer)

    response = client.post(
        reverse("orders:address-edit", args=[address.pk]), {**GOOD, "street": "文三路 1 号"}
    )

    assert response.status_code == 302
    address.refresh_from_db()
    assert address.street == "文三路 1 号"


def test_setting_another_default_leaves_exactly_one(client, buyer):
    first, second = make(buyer), make(buyer, recipient="王芳")
    client.force_login(buyer)

    client.post(reverse("orders:address-default", args=[second.pk]))

    assert list(Address.objects.filter(user=buyer, is_default=True)) == [second]
    first.refresh_from_db()
    assert not first.is_default


def test_the_database_allows_one_default_per_user(buyer):
    make(buyer)
    with pytest.raises(IntegrityError):
        Address.objects.create(user=buyer, is_default=True, **GOOD)


def test_deleting_the_default_promotes_the_newest_other(client, buyer):
    first = make(buyer)
    make(buyer, recipient="王芳")
    newest = make(buyer, recipient="张伟")
    client.force_login(buyer)

    client.post(reverse("orders:address-delete", args=[first.pk]))

    assert not Address.objects.filter(pk=first.pk).exists()
    assert Address.objects.get(user=buyer, is_default=True) == newest


def test_set_default_refuses_an_address_of_someone_else(buyer, stranger):
    theirs = make(stranger)
    make(buyer)
    from microstore.errors import DomainError

    with pytest.raises(DomainError):
        address_set_default(user=buyer, address=theirs)


def test_deleting_twice_is_harmless(buyer):
    address = make(buyer)
    address_delete(user=buyer, address=address)
    address_delete(user=buyer, address=address)
    assert not Address.objects.exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("orders:address-edit", "get"),
        ("orders:address-edit", "post"),
        ("orders:address-delete", "post"),
        ("orders:address-default", "post"),
    ],
)
def test_another_users_address_is_404(client, buyer, stranger, name, method):
    # given the buyer's address
    address = make(buyer)
    client.force_login(stranger)

    # when a stranger opens or changes it
    response = getattr(client, method)(reverse(name, args=[address.pk]), GOOD)

    # then it is a 404 and nothing changed
    assert response.status_code == 404
    address.refresh_from_db()
    assert address.is_default and address.street == GOOD["street"]


def test_the_list_shows_only_your_addresses(client, buyer, stranger):
    make(buyer)
    make(stranger, street="别人的地址 9 号")
    client.force_login(buyer)

    body = client.get(LIST).content.decode()

    assert "漕溪北路" in body and "别人的地址" not in body
