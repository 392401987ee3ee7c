"""The Redis cache backend: Django's, with one client per connection pool instead of one per call."""

import os
import time

import pytest
import redis

from asm_portal.redis_cache import RedisCache
from tests.conftest import redis_caches


@pytest.mark.services
def test_one_client_serves_every_call(monkeypatch):
    config = redis_caches("asm-portal-tests")["default"]
    built = []
    build = redis.Redis.__init__

    def counted(client, *args, **kwargs):
        built.append(client)
        build(client, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counted)
    backend = RedisCache(config["LOCATION"], config)
    key = f"client-{os.getpid()}-{time.time_ns()}"
    backend.set(key, {"answer": 42}, timeout=60)
    assert backend.get(key) == {"answer": 42}
    assert backend.get_many([key, "missing"]) == {key: {"answer": 42}}
    backend.delete(key)
    assert backend.get(key) is None
    assert len(built) == 1
