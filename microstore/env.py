"""Typed readers for the environment, used only by ``settings.py``.

Each helper fails loudly with ``ImproperlyConfigured`` naming the variable, so a
mistyped deployment stops at start-up with a sentence instead of misbehaving later.
"""

import os
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def get_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def get_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def get_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}.")
    return value


def get_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def get_secret_key(name: str, *, debug: bool, required: bool = True) -> str:
    """The secret key; without one, debug gets a throw-away key, a command that does not need
    it (``required=False``) gets none, and everything else refuses to start."""
    key = get_str(name)
    if key:
        if not debug and len(key) < 50:
            raise ImproperlyConfigured(
                f"{name} is too short ({len(key)} characters); use at least 50 random characters, "
                'e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".'
            )
        return key
    if debug:
        return "django-insecure-local-development-only-" + "x" * 20
    if not required:
        return ""  # Django refuses to use an empty key, so nothing can sign with it by mistake
    raise ImproperlyConfigured(
        f"{name} is not set. It is required when DJANGO_DEBUG is off: set it to at least 50 "
        'random characters, e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".'
    )


def get_database(name: str, *, default_url: str, conn_max_age: int) -> dict:
    url = get_str(name) or default_url
    try:
        config = dj_database_url.parse(
            url, conn_max_age=conn_max_age, conn_health_checks=conn_max_age > 0
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a database URL we understand: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite cannot share a connection across threads; persistent connections buy nothing.
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = False
    return config


def redis_url_with_db(url: str, offset: int) -> str:
    """The same Redis server as ``url`` with its database number moved by ``offset``.

    The Celery broker and the cache must not share a database: clearing the cache
    (``FLUSHDB``) would otherwise drop queued tasks.
    """
    parts = urlsplit(url)
    path = parts.path.lstrip("/") or "0"
    try:
        db = int(path)
    except ValueError:
        raise ImproperlyConfigured(
            f"REDIS_URL must end in a database number such as /0; got {url!r}."
        ) from None
    return urlunsplit(parts._replace(path=f"/{db + offset}"))


def get_mailers(name: str) -> dict:
    """Django's ``MAILERS`` from a URL: ``smtp://user:password@host:587?tls=1``, ``smtps://…``
    (implicit TLS), ``console://`` (the default: mail is printed) or ``locmem://``."""
    url = get_str(name) or "console://"
    parts = urlsplit(url)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(
            f"{name} must start with smtp://, smtps://, console:// or locmem://; got {url!r}."
        )
    mailer: dict = {"BACKEND": backends[parts.scheme]}
    if parts.scheme in ("smtp", "smtps"):
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} names no mail server host: {url!r}.")
        query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
        mailer["OPTIONS"] = {
            "host": parts.hostname,
            "port": parts.port or (465 if parts.scheme == "smtps" else 587),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_ssl": parts.scheme == "smtps",
            "use_tls": parts.scheme == "smtp" and query.get("tls", "1") in _TRUE,
            "timeout": 10,
        }
    return {"default": mailer}


def get_site_url(name: str, *, debug: bool, https: bool, hosts: list[str]) -> str:
    """The site's public address, e.g. ``https://shop.example.com``, for links in mail.

    Unset: ``http://127.0.0.1:8000`` in debug (``make run``), else the scheme from HTTPS and the
    first of ``DJANGO_ALLOWED_HOSTS`` (a wildcard host cannot be linked to: set the variable).
    """
    url = get_str(name)
    if not url:
        host = hosts[0] if hosts else ""
        if debug or not host:
            return "http://127.0.0.1:8000"
        if host == "*" or host.startswith("."):
            raise ImproperlyConfigured(
                f"{name} is not set and DJANGO_ALLOWED_HOSTS starts with the wildcard {host!r}; "
                "set it to the site's public address, e.g. https://shop.example.com."
            )
        return f"{'https' if https else 'http'}://{host}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(
            f"{name} must be an http:// or https:// address such as https://shop.example.com; "
            f"got {url!r}."
        )
    return url.rstrip("/")
