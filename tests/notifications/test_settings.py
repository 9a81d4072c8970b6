"""DJANGO_SITE_URL: the address links in mail point to."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from microstore import env


def site_url(monkeypatch, value=None, *, debug=False, https=True, hosts=()):
    if value is None:
        monkeypatch.delenv("X_SITE_URL", raising=False)
    else:
        monkeypatch.setenv("X_SITE_URL", value)
    return env.get_site_url("X_SITE_URL", debug=debug, https=https, hosts=list(hosts))


def test_debug_defaults_to_the_local_server(monkeypatch):
    assert site_url(monkeypatch, debug=True, hosts=["shop.example.com"]) == "http://127.0.0.1:8000"


def test_production_defaults_to_the_first_allowed_host(monkeypatch):
    assert site_url(monkeypatch, hosts=["shop.example.com", "www.x.cn"]) == (
        "https://shop.example.com"
    )
    assert site_url(monkeypatch, https=False, hosts=["10.0.0.5"]) == "http://10.0.0.5"


def test_an_explicit_address_wins_without_its_trailing_slash(monkeypatch):
    assert site_url(monkeypatch, "https://shop.example.com/", hosts=[".x.cn"]) == (
        "https://shop.example.com"
    )


@pytest.mark.parametrize("value", ["shop.example.com", "ftp://shop.example.com", "https://"])
def test_a_bad_address_names_the_variable(monkeypatch, value):
    with pytest.raises(ImproperlyConfigured, match="X_SITE_URL must be an http"):
        site_url(monkeypatch, value)


def test_a_wildcard_host_needs_the_address_spelt_out(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="X_SITE_URL is not set"):
        site_url(monkeypatch, hosts=[".example.com"])
