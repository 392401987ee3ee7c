"""Django's Redis cache, reusing its client.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache call,
about 0.15 ms of Python each; a signed-in page makes two or three calls. The
client is only a thin, thread-safe front to its connection pool, so one per
pool serves every call.
"""

from typing import Any

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[object, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # The pool for this call, as Django chooses it (the stubs leave out its private helpers).
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
