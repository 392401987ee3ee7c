"""Every endpoint × no key, a wrong key, a revoked key, a key without the permission, a good key."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from claims.portal import rate_limits
from shop_api.keys import create_api_key
from shop_api.models import ApiKey
from tests.factories import make_claim
from tests.shop_api.conftest import bearer, revoked_key
from tests.shop_api.test_orders import batch_order, order_body

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("put", "/api/v1/orders/WEB-1", lambda: order_body(), "orders"),
    ("post", "/api/v1/orders:batch", lambda: {"orders": [batch_order("WEB-2")]}, "orders"),
    ("get", "/api/v1/claims", None, "claims"),
    ("get", "/api/v1/claims/{rma}", None, "claims"),
]


def call(client: Client, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    if method == "get":
        return client.get(path, headers=headers)
    return getattr(client, method)(path, body, content_type="application/json", headers=headers)


def key_for(permission: str) -> str:
    return create_api_key(
        name=permission,
        can_write_orders=permission == "orders",
        can_read_claims=permission == "claims",
        created_by=None,
    ).token


@pytest.mark.parametrize(("method", "path", "body", "permission"), ENDPOINTS)
def test_each_endpoint_answers_each_kind_of_key(client, method, path, body, permission):
    claim = make_claim()
    path = path.format(rma=claim.rma_number)
    other = "claims" if permission == "orders" else "orders"
    cases = [
        ({}, 401),
        ({"Authorization": "Bearer asm_deadbeef_not-a-key"}, 401),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        (bearer(revoked_key()), 401),
        (bearer(key_for(other)), 403),
        (bearer(key_for(permission)), 200),
    ]
    for headers, expected in cases:
        response = call(client, method, path, body() if body else None, headers)
        assert response.status_code == expected, (headers, response.content)
        if expected != 200:
            assert response.json()["errors"][0]["field"] == "Authorization"


def test_a_key_is_stored_only_as_its_digest_and_records_its_last_use(client):
    new = create_api_key(name="Shop", can_write_orders=False, can_read_claims=True, created_by=None)
    stored = ApiKey.objects.get(pk=new.api_key.pk)
    assert new.token not in str(ApiKey.objects.filter(pk=stored.pk).values().get())
    assert stored.last_used_at is None

    client.get("/api/v1/claims", headers=bearer(new.token))

    stored.refresh_from_db()
    assert stored.last_used_at is not None
    assert timezone.now() - stored.last_used_at < timedelta(minutes=1)


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(client, settings):
    settings.ASM_API_RATE_PER_KEY = 3
    settings.ASM_API_RATE_WINDOW_SECONDS = 60
    token = key_for("claims")
    other = key_for("claims")

    answers = [client.get("/api/v1/claims", headers=bearer(token)).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    refused = client.get("/api/v1/claims", headers=bearer(token))
    assert 0 < int(refused["Retry-After"]) <= 60
    # The limit is per key: another shop's key is not held back.
    assert client.get("/api/v1/claims", headers=bearer(other)).status_code == 200


def test_the_rate_limit_still_holds_when_the_shared_cache_is_down(client, settings, monkeypatch):
    settings.ASM_API_RATE_PER_KEY = 2
    token = key_for("claims")

    class Down:
        def get_many(self, keys):
            raise rate_limits.redis.ConnectionError("Redis is down")

    monkeypatch.setattr(rate_limits, "cache", Down())
    rate_limits.process_counters.clear()

    answers = [client.get("/api/v1/claims", headers=bearer(token)).status_code for _ in range(3)]

    assert answers == [200, 200, 429]
