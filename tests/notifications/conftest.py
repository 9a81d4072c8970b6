import copy
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core import mail

from microstore.notifications import kinds
from microstore.notifications.kinds import Category, Kind
from tests.notifications.mailers import FlakySMTPBackend

TEST_TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Target:
    """Something a notification is about: anything with get_absolute_url() will do."""

    url: str = "/cart/"

    def get_absolute_url(self) -> str:
        return self.url


@pytest.fixture
def target():
    return Target()


@pytest.fixture
def flaky_smtp(settings):
    """The mail server fails the next ``flaky_smtp.failures`` messages (default: none)."""
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.mailers.FlakySMTPBackend"}}
    FlakySMTPBackend.failures = 0
    error = FlakySMTPBackend.error
    yield FlakySMTPBackend
    FlakySMTPBackend.failures = 0
    FlakySMTPBackend.error = error


@pytest.fixture
def essential_kind(settings):
    """An essential kind like an order receipt (the orders app that will own it is not built
    yet), with its templates from tests/notifications/templates."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEST_TEMPLATES]
    settings.TEMPLATES = templates
    kind = kinds.register_kind(
        Kind(key="test.receipt", label="Order receipt", category=Category.ORDERS, essential=True)
    )
    yield kind
    kinds._registry.pop(kind.key)


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.1)
    return predicate()


def wait_for_mail(count: int = 1, timeout: float = 20.0) -> list:
    wait_for(lambda: len(mail.outbox) >= count, timeout)
    return list(mail.outbox)


@contextmanager
def broker_unreachable(app):
    """While inside, nothing can be enqueued: publishing goes to a closed port, as it would
    with Redis down. (The shared Redis other tests use stays up; a running worker keeps its own
    consumer connection.) On leaving, publishing goes to the real broker again."""

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    saved = app.conf.broker_write_url
    app.conf.broker_write_url = "redis://127.0.0.1:1/0"
    reset_pools()
    try:
        yield
    finally:
        app.conf.broker_write_url = saved
        reset_pools()
