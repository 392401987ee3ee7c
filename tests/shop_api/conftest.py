from typing import Any

import pytest
from django.test import Client

from shop_api.keys import create_api_key, revoke_api_keys


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def shop_key(db) -> str:
    """A key with both permissions, as a shop's integration would have."""
    return create_api_key(name="Web shop", can_write_orders=True, can_read_claims=True, created_by=None).token


@pytest.fixture
def api(client: Client, shop_key: str) -> "ShopClient":
    return ShopClient(client, shop_key)


class ShopClient:
    """The Django test client, sending JSON with the shop's key."""

    def __init__(self, client: Client, token: str) -> None:
        self.client = client
        self.token = token

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(path, body, content_type="application/json", headers=bearer(self.token))

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(path, body, content_type="application/json", headers=bearer(self.token))

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(path, query, headers=bearer(self.token))


def revoked_key() -> str:
    new = create_api_key(name="Old shop", can_write_orders=True, can_read_claims=True, created_by=None)
    revoke_api_keys(key_ids=[new.api_key.pk])
    return new.token
