"""Fixtures of the security tests."""

import pytest

from tests.security import fuzz_profiles  # noqa: F401  registers the "ci" and "long" profiles
from tests.security.world import World


@pytest.fixture(autouse=True)
def _private_cache(settings) -> None:
    """Rate-limit counters in a cache of this test process alone (as the portal's tests do)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "security-tests"}
    }


@pytest.fixture
def world(db) -> World:
    return World()
