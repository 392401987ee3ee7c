"""The load balancer's probes: liveness (``/healthz``) and readiness (``/readyz``)."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django_redis import get_redis_connection
from django_redis.cache import RedisCache

from asm_portal.celery import app as celery_app

logger = logging.getLogger(__name__)

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    # A cache in the process's memory or on its disk (development) has nothing to reach.
    if isinstance(caches["default"], RedisCache):
        # The raw client: the cache itself hides a Redis that is down (IGNORE_EXCEPTIONS).
        get_redis_connection("default").ping()


def _broker() -> None:
    # A connection of its own, never a pooled one: a pooled connection still
    # counts as connected after Redis has gone. One attempt, bounded by
    # CELERY_BROKER_CONNECTION_TIMEOUT and the publishing socket timeout.
    short = {"socket_timeout": settings.ASM_BROKER_PUBLISH_SOCKET_TIMEOUT}
    with celery_app.connection_for_read(transport_options=short) as broker:
        broker.ensure_connection(max_retries=0)


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "cache": _cache, "broker": _broker}


def readiness() -> dict[str, bool]:
    """Whether each service a request may need answers now, by name."""
    answers = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # whatever the failure, the answer is "down"
            logger.warning("Readiness: the %s does not answer: %s", name, type(error).__name__)
            answers[name] = False
        else:
            answers[name] = True
    return answers


class HealthProbeMiddleware:
    """Answers the load balancer's probes before any other middleware looks at the request.

    First in ``MIDDLEWARE``: a load balancer probes each instance by its own
    address over plain HTTP, which the host check (400) and the HTTPS redirect
    would otherwise refuse.

    ``GET /healthz`` (liveness) touches neither the database nor Redis: it says
    only that the process answers, so a restart never follows an outage of
    theirs. ``GET /readyz`` (readiness) says whether the database, the cache
    and the broker answer: 200 when all do, 503 otherwise, one line per service
    either way (``cache: down``); it names services, never addresses or
    credentials. It gates deployments and feeds monitoring; routing stays on
    liveness, since the portal keeps working while Redis is down (README).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            if request.path_info == LIVENESS_PATH:
                return _probe_response("ok", status=200)
            if request.path_info == READINESS_PATH:
                answers = readiness()
                return _probe_response(
                    "".join(f"{name}: {'ok' if up else 'down'}\n" for name, up in answers.items()),
                    status=200 if all(answers.values()) else 503,
                )
        return self.get_response(request)


def _probe_response(text: str, *, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain", headers={"Cache-Control": "no-store"})
