import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from claims.models import OrderLine, User
from tests.factories import new_customer, new_line

REQUIRE_SERVICES = os.environ.get("ASM_REQUIRE_SERVICES") == "1"


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose service is missing, or fail it where CI demands every service."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"ASM_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def redis_caches(key_prefix: str) -> dict[str, Any]:
    """``CACHES`` on the test Redis (``REDIS_URL``), for ``override_settings``; skips without it.

    Use it only around the lines that need it: the suite's teardown clears the
    cache, which on Redis would flush the whole database.
    """
    redis_url = os.environ.get("REDIS_URL", "")
    require_service(bool(redis_url), "set REDIS_URL to test the cache in Redis")
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": key_prefix,
        }
    }


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def customer(db) -> User:
    """A customer of the portal, with ``line`` a line of theirs and ``signed_in`` their browser."""
    return new_customer(email="ana@example.com")


@pytest.fixture
def line(customer) -> OrderLine:
    """A line bought 5 days ago and delivered 3 days ago: inside the return window and under warranty."""
    return new_line(order__customer=customer)


@pytest.fixture
def signed_in(client: Client, customer: User) -> Client:
    client.force_login(customer)
    return client


@pytest.fixture
def postgres(db) -> None:
    """For tests that prove something only PostgreSQL can (row locks, EXPLAIN)."""
    from django.db import connection

    require_service(connection.vendor == "postgresql", "these tests need PostgreSQL (set DATABASE_URL)")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """The session's one headless Chromium, shared by every browser suite (portal, journeys)."""
    from tests.portal.conftest import launched_chromium

    with launched_chromium() as browser:
        yield browser


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """SQLite's WAL files of this process's test database: Django removes only the database file."""
    from django.conf import settings

    for leftover in Path(settings.VAR_DIR).glob(f"test-{os.getpid()}.sqlite3-*"):
        leftover.unlink(missing_ok=True)
