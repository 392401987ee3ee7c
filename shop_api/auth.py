"""``Authorization: Bearer <key>``: who is calling, whether the key may do this, and how often it may.

No key, or a wrong or revoked one, is a 401; a key without the operation's
permission a 403; a key over its rate limit a 429 with ``Retry-After``
(counted per key in the shared cache, ``claims.portal.rate_limits``). The
header's value is never logged.
"""

from enum import StrEnum

from django.http import HttpRequest
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security.http import HttpBearer

from claims.portal.rate_limits import api_requests_per_key, hit
from shop_api.keys import authenticate_key
from shop_api.models import ApiKey


class Permission(StrEnum):
    ORDERS_WRITE = "orders-write"
    CLAIMS_READ = "claims-read"


class RateLimited(Exception):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"Too many requests; retry in {retry_after_seconds} s.")
        self.retry_after_seconds = retry_after_seconds


def _grants(api_key: ApiKey, permission: Permission) -> bool:
    if permission == Permission.ORDERS_WRITE:
        return api_key.can_write_orders
    return api_key.can_read_claims


class ApiKeyAuth(HttpBearer):
    """The key must grant ``permission``. The OpenAPI document names the scheme after this class."""

    def __init__(self, permission: Permission) -> None:
        super().__init__()
        self.permission = permission

    def __call__(self, request: HttpRequest) -> ApiKey | None:
        # Ninja's own version logs an unexpected header in debug mode; a key must never reach a log.
        scheme, _space, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            raise AuthenticationError(message="Send an API key as “Authorization: Bearer <key>”.")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        api_key = authenticate_key(token)
        if api_key is None:
            raise AuthenticationError(message="This API key is not valid, or it was revoked.")
        blocked = hit((api_requests_per_key(), str(api_key.pk)))
        if blocked is not None:
            raise RateLimited(blocked.retry_after_seconds)
        if not _grants(api_key, self.permission):
            raise AuthorizationError(message=f"This API key does not grant “{self.permission}”.")
        return api_key
