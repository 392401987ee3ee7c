"""Pointing the Celery app at a broker, and running a real worker in a thread, for tests."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import kombu.pools
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from asm_portal.celery import app
from tests.conftest import require_service

QUEUES = ["emails", "sweeps", "webhooks", "celery"]


def _drop_connection_pools() -> None:
    # Celery keeps its connection pools privately; they must go for a new broker URL to take effect.
    internals = cast(Any, app)
    if internals._pool is not None:
        internals._pool.force_close_all()
    internals._pool = None
    # The producer pool comes from kombu's global pools, which a stopping worker may have closed.
    if "amqp" in app.__dict__:
        internals.amqp._producer_pool = None
    kombu.pools.reset()


@contextmanager
def use_broker(url: str) -> Iterator[None]:
    """The app publishes to ``url`` inside the block (``memory://`` keeps messages in the process)."""
    previous = app.conf.broker_url
    # Celery reads CELERY_BROKER_URL from the environment before its own setting (the test
    # environment sets it to memory://), so both must change for the block to reach ``url``.
    previous_environ = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.update(broker_url=url)
    _drop_connection_pools()
    try:
        yield
    finally:
        if previous_environ is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_environ
        app.conf.update(broker_url=previous)
        _drop_connection_pools()


def live_redis_url() -> str:
    """The test Redis (REDIS_URL); skips, or fails under ASM_REQUIRE_SERVICES=1, when it does not answer."""
    url = os.environ.get("REDIS_URL", "")
    try:
        available = bool(url) and bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        available = False
    require_service(available, f"these tests need Redis (REDIS_URL={url or 'unset'})")
    return url


def _close_worker_connections(**_signal: Any) -> None:
    # Runs in the worker's thread: its database connections must not outlive the test database.
    connections.close_all()


@contextmanager
def running_worker(url: str) -> Iterator[None]:
    """A real worker consuming every queue of ``url``, in a thread of this process."""
    with use_broker(url):
        with app.connection_for_write() as connection:
            channel = cast(Any, connection.default_channel)
            for queue in QUEUES:
                # Messages left by an earlier, interrupted run must not be delivered into this test.
                channel.queue_purge(queue)
        task_postrun.connect(_close_worker_connections, weak=False)
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, queues=QUEUES, shutdown_timeout=30):
                yield
        finally:
            task_postrun.disconnect(_close_worker_connections)


def wait_until(condition: Any, *, timeout: float = 15.0) -> bool:
    """Poll ``condition()`` until it is true or ``timeout`` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())
