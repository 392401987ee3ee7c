"""The rate-limit counters: fixed windows in the shared cache; a refused hit counts nowhere."""

import os
import time
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from claims.portal.rate_limits import RateLimit, client_ip, hit
from tests.conftest import redis_caches

PER_EMAIL = RateLimit("test-email", limit=2, window_seconds=600)
PER_IP = RateLimit("test-ip", limit=3, window_seconds=600)


def test_hits_are_counted_until_the_limit():
    assert hit((PER_EMAIL, "a@example.com")) is None
    assert hit((PER_EMAIL, "a@example.com")) is None
    blocked = hit((PER_EMAIL, "a@example.com"))
    assert blocked is not None
    assert 0 < blocked.retry_after_seconds <= 600
    assert 1 <= blocked.retry_after_minutes <= 10
    assert hit((PER_EMAIL, "b@example.com")) is None


def test_a_refused_hit_counts_nowhere():
    hit((PER_EMAIL, "a@example.com"))
    hit((PER_EMAIL, "a@example.com"))
    assert hit((PER_EMAIL, "a@example.com"), (PER_IP, "10.0.0.1")) is not None
    # The IP's count did not move: three more hits from it (for other emails) are allowed.
    for email in ("b@example.com", "c@example.com", "d@example.com"):
        assert hit((PER_EMAIL, email), (PER_IP, "10.0.0.1")) is None
    assert hit((PER_IP, "10.0.0.1")) is not None


def test_a_cost_counts_several_hits():
    assert hit((PER_IP, "10.0.0.1"), cost=3) is None
    assert hit((PER_IP, "10.0.0.1")) is not None


def test_a_new_window_starts_afresh():
    hit((PER_EMAIL, "a@example.com"), cost=2)
    assert hit((PER_EMAIL, "a@example.com")) is not None
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert hit((PER_EMAIL, "a@example.com")) is None


@pytest.mark.services
def test_counters_live_in_redis_shared_by_every_process():
    limit = RateLimit("test-redis", limit=1, window_seconds=60)
    identity = f"process-{os.getpid()}-{time.time_ns()}"
    with override_settings(CACHES=redis_caches("asm-portal-tests")):
        assert hit((limit, identity)) is None
        assert hit((limit, identity)) is not None


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.2"),  # no proxy trusted: the header is the client's invention
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the load balancer appended the real client
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.1", "203.0.113.7"),
        (1, "", "10.0.0.2"),
    ],
)
def test_the_client_address_behind_trusted_proxies(rf, settings, hops, forwarded, expected):
    settings.ASM_TRUSTED_PROXY_HOPS = hops
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
