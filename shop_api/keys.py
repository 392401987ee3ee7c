"""API keys: made here, shown once, kept only as a SHA-256 digest, looked up by it.

A key is ``asm_`` + 8 characters of prefix (kept, to tell keys apart in the
admin) + ``_`` + 43 random characters: 256 bits of randomness, so one fast
digest is as safe as a slow password hash and a lookup costs one indexed query.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from claims.models import User
from shop_api.models import ApiKey

KEY_PREFIX = "asm_"
# last_used_at is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewKey:
    api_key: ApiKey
    token: str  # shown to the manager once, then forgotten


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(api_key: ApiKey) -> str:
    """Give an unsaved key its token's prefix and digest; returns the token, to be shown once."""
    api_key.prefix = secrets.token_hex(4)
    token = f"{KEY_PREFIX}{api_key.prefix}_{secrets.token_urlsafe(32)}"
    api_key.digest = _digest(token)
    return token


def create_api_key(
    *, name: str, can_write_orders: bool, can_read_claims: bool, created_by: User | None
) -> NewKey:
    api_key = ApiKey(
        name=name, can_write_orders=can_write_orders, can_read_claims=can_read_claims, created_by=created_by
    )
    token = issue_token(api_key)
    api_key.save()
    return NewKey(api_key=api_key, token=token)


def revoke_api_keys(*, key_ids: list[int]) -> int:
    """Revoke the keys not yet revoked; returns how many. A revoked key is refused from the next request."""
    return ApiKey.objects.filter(pk__in=key_ids, revoked_at__isnull=True).update(revoked_at=timezone.now())


def authenticate_key(token: str) -> ApiKey | None:
    """The active key this token is, or None; records when it was last used."""
    if not token.startswith(KEY_PREFIX) or len(token) > 200:
        return None
    api_key = ApiKey.objects.filter(digest=_digest(token), revoked_at__isnull=True).first()
    if api_key is None:
        return None
    now = timezone.now()
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    return api_key
