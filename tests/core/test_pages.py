import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_square_invites_people_to_open_a_stall(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # counting the stalls, the newest goods
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "No stalls have opened yet." in response.text
    assert reverse("account_signup") in response.text


def test_the_header_knows_who_is_logged_in(client, django_assert_max_num_queries):
    client.force_login(UserFactory(display_name="老高的茶叶铺"))

    # session, user, the bell's unread count, "my stall?", counting the stalls, the goods
    with django_assert_max_num_queries(6):
        response = client.get(reverse("home"))

    assert "老高的茶叶铺" in response.text
    assert reverse("accounts:profile") in response.text


def test_every_page_has_the_strict_content_security_policy(client):
    response = client.get(reverse("home"))

    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_page_carries_inline_scripts_or_styles(client):
    client.force_login(UserFactory())
    for url in (reverse("home"), reverse("accounts:profile"), reverse("account_email")):
        text = client.get(url).text
        assert "<script>" not in text
        assert "<style" not in text
        assert "style=" not in text


def test_assets_are_served_by_the_app_itself(client):
    text = client.get(reverse("home")).text

    assert "/static/vendor/htmx/htmx.min.js" in text
    assert "/static/css/site.css" in text
    assert "//cdn" not in text and "https://" not in text


def test_the_search_box_echoes_the_query_safely(client):
    response = client.get(reverse("search"), {"q": "<script>alert(1)</script>"})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_an_unknown_page_gets_the_friendly_404(client):
    response = client.get("/no-such-stall/")

    assert response.status_code == 404
    assert "Page not found" in response.text


def test_chinese_is_served_to_chinese_browsers(client):
    response = client.get(reverse("home"), headers={"accept-language": "zh-CN,zh;q=0.9"})

    assert response.headers["Content-Language"] == "zh-hans"
    with translation.override("zh-hans"):
        assert translation.gettext("No stalls have opened yet.") in response.text
    assert "No stalls have opened yet." not in response.text


def test_health_check_reports_database_and_cache(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
