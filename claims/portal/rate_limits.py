"""Request rate limits, counted in the cache that every web process shares.

Each limit is a fixed window: at most ``limit`` hits per ``window_seconds``
for one identity (an email, an IP address, a user). A refused request is not
counted, and says how long until the window ends.

When the shared cache does not answer (Redis down), every limit is counted in
the web process's own memory instead, and each such request logs a warning
("counting in this process only"); it is never an error page. A limit then
holds per process, so at most ``limit`` × the number of web processes. Neither
failing open nor failing closed suits any of the limits:

- sign-in, per email and per address: open would let anyone queue unlimited
  sign-in emails to a customer during the outage (they all go out when Redis
  is back) and guess order numbers freely; closed would stop every customer
  signing in, which is the outage this fallback exists to avoid.
- the shop's API, per key: closed would stop orders flowing in; open would let a
  runaway integration load the database unchecked.
- claims and uploads, per customer: closed would refuse the filing the outbox
  is built to save while Redis is down; open would leave one signed-in
  account free to fill the disk with photos.

The staff login lockout (django-axes) counts in the database and is not
affected at all.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest

logger = logging.getLogger(__name__)

# Used only while the shared cache does not answer; one per web process.
process_counters = LocMemCache("asm-rate-limits", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


class _SharedCacheDown(Exception):
    """The shared cache did not answer: it raised, or (django-redis's IGNORE_EXCEPTIONS) returned None."""


@dataclass(frozen=True)
class RateLimit:
    scope: str
    limit: int
    window_seconds: int


@dataclass(frozen=True)
class Blocked:
    """A refused request: retry after this many seconds."""

    retry_after_seconds: int

    @property
    def retry_after_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after_seconds / 60))


def _minutes(setting_name: str) -> int:
    minutes: int = getattr(settings, setting_name)
    return minutes * 60


def sign_in_per_email() -> RateLimit:
    return RateLimit(
        "sign-in-email", settings.ASM_SIGNIN_RATE_PER_EMAIL, _minutes("ASM_SIGNIN_RATE_WINDOW_MINUTES")
    )


def sign_in_per_ip() -> RateLimit:
    return RateLimit(
        "sign-in-ip", settings.ASM_SIGNIN_RATE_PER_IP, _minutes("ASM_SIGNIN_RATE_WINDOW_MINUTES")
    )


def claims_per_customer() -> RateLimit:
    return RateLimit("claim", settings.ASM_CLAIM_RATE_PER_CUSTOMER, _minutes("ASM_CLAIM_RATE_WINDOW_MINUTES"))


def uploads_per_customer() -> RateLimit:
    return RateLimit(
        "upload", settings.ASM_UPLOAD_RATE_PER_CUSTOMER, _minutes("ASM_UPLOAD_RATE_WINDOW_MINUTES")
    )


def api_requests_per_key() -> RateLimit:
    return RateLimit("api-key", settings.ASM_API_RATE_PER_KEY, settings.ASM_API_RATE_WINDOW_SECONDS)


def client_ip(request: HttpRequest) -> str:
    """The address the request came from.

    Behind ``ASM_TRUSTED_PROXY_HOPS`` proxies (load balancers) that each append
    to X-Forwarded-For, the client is that many entries from the right; entries
    further left are whatever the client chose to send, so they are ignored.
    """
    hops: int = settings.ASM_TRUSTED_PROXY_HOPS
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return str(request.META.get("REMOTE_ADDR", ""))


def _key(rate: RateLimit, identity: str, window_index: int) -> str:
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"rate:{rate.scope}:{digest}:{window_index}"


def hit(*checks: tuple[RateLimit, str], cost: int = 1) -> Blocked | None:
    """Count ``cost`` hits against every (limit, identity) pair, or refuse if any is spent.

    All pairs are checked before any is counted, so a refused request counts nowhere.
    """
    now = time.time()
    keyed: list[tuple[RateLimit, str, float]] = []
    for rate, identity in checks:
        window_index = int(now // rate.window_seconds)
        keyed.append((rate, _key(rate, identity, window_index), (window_index + 1) * rate.window_seconds))
    try:
        return _count(cache, keyed, now=now, cost=cost)
    except _SharedCacheDown:
        logger.warning(
            "Rate limits: the shared cache did not answer; counting in this process only (%s).",
            ", ".join(rate.scope for rate, _key, _ends in keyed),
        )
        return _count(process_counters, keyed, now=now, cost=cost)


def _count(
    counters: BaseCache, keyed: list[tuple[RateLimit, str, float]], *, now: float, cost: int
) -> Blocked | None:
    try:
        counts = counters.get_many([key for _rate, key, _ends in keyed])
        retry_after = [
            math.ceil(ends - now) for rate, key, ends in keyed if counts.get(key, 0) + cost > rate.limit
        ]
        if retry_after:
            return Blocked(retry_after_seconds=max(retry_after))
        for rate, key, _ends in keyed:
            # add() starts the window's counter only if missing; incr() is atomic in Redis.
            if counters.add(key, 0, timeout=rate.window_seconds + 1) is None:
                raise _SharedCacheDown
            try:
                counted = counters.incr(key, cost)
            except ValueError:  # the counter expired between add() and incr()
                counters.set(key, cost, timeout=rate.window_seconds + 1)
            else:
                if counted is None:
                    raise _SharedCacheDown
    except redis.RedisError as error:
        raise _SharedCacheDown from error
    return None
