"""Shared fixtures.

Tests that need PostgreSQL, Redis or Chromium are skipped on a bare machine with a one-line
reason; with ``CI`` set, any skip fails the run, because CI provides all three.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from microstore.celery import app as celery_app
from tests.factories import UserFactory

CHROMIUM = Path("/usr/bin/chromium")
STRICT = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_configure(config):
    # Hashing a password properly is slow on purpose (PBKDF2, over a million rounds); tests
    # create hundreds of users, so they use a fast hasher. Log-in still checks the password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STATIC_ROOT = tempfile.mkdtemp(prefix="microstore-static-")
    # Pages render {% static %} without running collectstatic first; production's manifest
    # storage is exercised by the production-settings test, which does run collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1/microstore"
        )
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        pytest.skip("needs Redis: run with REDIS_URL=redis://127.0.0.1:6379/14")
    if item.get_closest_marker("browser") and not CHROMIUM.exists():
        pytest.skip("needs Chromium at /usr/bin/chromium: apt-get install chromium")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if STRICT and skipped and session.exitstatus == 0:
        reporter.write_line(
            f"CI is set and {len(skipped)} test(s) were skipped: CI must run every test.",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _isolation(request, settings, tmp_path):
    """Every test: an empty cache (rate limits!), private media, tasks run in-process.

    Running tasks eagerly runs our real task code in the test's thread; tests about the queue
    itself use ``running_worker``, which talks to a real worker over the real broker.
    """
    from django.core.cache import cache

    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            **settings.STORAGES["private"],
            "OPTIONS": {"location": tmp_path / "private-media"},
        },
    }
    eager = "running_worker" not in request.fixturenames
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def running_worker(transactional_db):
    """A real Celery worker thread consuming from the real Redis broker."""
    from celery.contrib.testing.worker import start_worker

    if not settings.REDIS_URL:
        pytest.skip("needs Redis: run with REDIS_URL=redis://127.0.0.1:6379/14")
    with celery_app.connection_for_write() as conn:
        conn.default_channel.client.delete(celery_app.conf.task_default_queue)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        yield celery_app


@pytest.fixture(autouse=True)
def _default_categories(request):
    """The category tree a data migration seeds. Tests with ``transaction=True`` empty every
    table afterwards, so later tests get the tree back here."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transactional = marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    from importlib import import_module

    from django.apps import apps

    from catalog.models import Category

    if not Category.objects.exists():
        import_module("catalog.migrations.0002_default_categories").create_tree(apps, None)


@pytest.fixture
def owner(db):
    return UserFactory(display_name="Lao Gao")


@pytest.fixture
def buyer(db):
    return UserFactory(display_name="Mei Lin")


@pytest.fixture
def stranger(db):
    return UserFactory(display_name="Stranger")


@pytest.fixture
def admin_user(db):
    from microstore.accounts.models import User

    return User.objects.create_superuser(
        email="admin@example.com", password="admin-pass-1234", display_name="Admin"
    )


# --- Playwright (pytest-playwright) ----------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 390, "height": 844}}


def pytest_report_header(config):
    return (
        f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"redis: {'yes' if settings.REDIS_URL else 'no'}, "
        f"chromium: {'yes' if CHROMIUM.exists() else 'no'}, "
        f"strict skips (CI): {'yes' if STRICT else 'no'}, "
        f"gettext: {'yes' if shutil.which('msgfmt') else 'no'}"
    )
