"""Request rate limits, counted in the cache that every web process shares.

Each limit is a fixed window: at most ``limit`` hits per ``window_seconds``
for one identity (an email, an IP address, a user). A refused request is not
counted, and says how long until the window ends.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


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
    keyed = []
    for rate, identity in checks:
        window_index = int(now // rate.window_seconds)
        keyed.append((rate, _key(rate, identity, window_index), (window_index + 1) * rate.window_seconds))
    counts = cache.get_many([key for _rate, key, _ends in keyed])
    retry_after = [
        math.ceil(ends - now) for rate, key, ends in keyed if counts.get(key, 0) + cost > rate.limit
    ]
    if retry_after:
        return Blocked(retry_after_seconds=max(retry_after))
    for rate, key, _ends in keyed:
        # add() starts the window's counter only if missing; incr() is atomic in Redis.
        cache.add(key, 0, timeout=rate.window_seconds + 1)
        try:
            cache.incr(key, cost)
        except ValueError:  # the counter expired between add() and incr()
            cache.set(key, cost, timeout=rate.window_seconds + 1)
    return None
