import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_log_in_goes_through_the_rate_limited_site_log_in(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_admin_log_in_is_rate_limited(client, admin_user):
    attempt = {"login": admin_user.email, "password": "wrong", "next": reverse("admin:index")}

    for _ in range(5):
        client.post(reverse("account_login"), attempt)

    response = client.post(reverse("account_login"), {**attempt, "password": "admin-pass-1234"})
    assert "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_an_admin_logs_in_and_reaches_the_admin(client, admin_user):
    response = client.post(
        reverse("account_login"),
        {"login": admin_user.email, "password": "admin-pass-1234", "next": reverse("admin:index")},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert response.status_code == 200


def test_a_non_staff_user_cannot_reach_the_admin(client):
    client.force_login(UserFactory())

    assert client.get(reverse("admin:login")).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 302


def test_admins_find_users_by_email_and_name(client, admin_user, django_assert_max_num_queries):
    UserFactory(email="gao@example.com", display_name="老高")
    UserFactory.create_batch(5)
    client.force_login(admin_user)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("admin:accounts_user_changelist"), {"q": "老高"})

    assert response.status_code == 200
    assert "gao@example.com" in response.text
    assert response.context["cl"].result_count == 1


def test_admins_create_users_by_email(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Staff@Example.com",
            "display_name": "Staff",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    from microstore.accounts.models import User

    assert User.objects.filter(email="staff@example.com").exists()
