"""``/api/v1/``: the shop pushes orders and reads claims (django-ninja; OpenAPI at ``openapi.json``).

Each operation is a thin interface: it checks the key (``shop_api.auth``),
parses the body into the shapes of ``shop_api.schemas``, and calls one
function. Every refusal is ``{"errors": [{"field", "message"}]}``: 400 for a
body or query that is not what the document describes, 422 for one that
breaks the import's rules, 401 / 403 / 429 for the key, 404 for an unknown
RMA.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError

from shop_api import claim_feed, orders
from shop_api.auth import ApiKeyAuth, Permission, RateLimited
from shop_api.schemas import (
    ClaimOut,
    ClaimPage,
    OrderBatchIn,
    OrderBatchOut,
    OrderIn,
    OrderOut,
    Problems,
)

# Where the API is served (asm_portal/urls.py), under the site's root.
API_ROOT = "api/v1/"

api = NinjaAPI(
    title="ASM Care Portal API",
    version="1",
    description=(
        "Orders in, claims out. Authenticate with `Authorization: Bearer <key>`; keys are made by care "
        "managers in the back office. Claim changes are also pushed as signed webhooks (see the README)."
    ),
    urls_namespace="shop_api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)

ORDERS_WRITE = ApiKeyAuth(Permission.ORDERS_WRITE)
CLAIMS_READ = ApiKeyAuth(Permission.CLAIMS_READ)
REFUSALS: dict[int, Any] = {400: Problems, 401: Problems, 403: Problems, 429: Problems}


def problems(request: HttpRequest, status: int, found: Sequence[tuple[str, str]]) -> HttpResponse:
    """The API's refusal: each problem as the field it is about and a message."""
    body = {"errors": [{"field": field, "message": message} for field, message in found]}
    return api.create_response(request, body, status=status)


def _place(location: Sequence[Any]) -> str:
    """pydantic's ("body", "order", "lines", 0, "quantity") as ``lines[0].quantity``."""
    parts = list(location[2:] if location and location[0] == "body" else location[1:])
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or "body"


@api.exception_handler(ValidationError)
def _malformed(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return problems(request, 400, [(_place(item["loc"]), item["msg"]) for item in error.errors])


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    response = problems(request, 401, [("Authorization", error.message)])
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _refused(request: HttpRequest, error: HttpError) -> HttpResponse:
    field = "Authorization" if error.status_code == 403 else "body"
    return problems(request, error.status_code, [(field, error.message)])


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, error: RateLimited) -> HttpResponse:
    response = problems(request, 429, [("Authorization", str(error))])
    response["Retry-After"] = str(error.retry_after_seconds)
    return response


@api.exception_handler(orders.OrdersRefused)
def _orders_refused(request: HttpRequest, error: orders.OrdersRefused) -> HttpResponse:
    return problems(request, 422, [(problem.field, problem.message) for problem in error.problems])


@api.exception_handler(claim_feed.BadCursor)
def _bad_cursor(request: HttpRequest, error: claim_feed.BadCursor) -> HttpResponse:
    return problems(request, 400, [("cursor", str(error))])


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problems(request, 404, [("path", str(error) or "Not found.")])


@api.put(
    "/orders/{order_number}",
    auth=ORDERS_WRITE,
    response={200: OrderOut, 422: Problems, **REFUSALS},
    summary="Create or update an order",
    tags=["orders"],
)
def put_order(request: HttpRequest, order_number: str, order: OrderIn) -> dict[str, Any]:
    """Upsert one order and its lines by the file import's rules: an email is matched trimmed and in any
    case, never a staff account's; an omitted delivery date or price keeps the one recorded; a line's
    quantity never drops below what its claims cover. Nothing is ever deleted. The same body twice
    changes nothing and answers the same."""
    stored = orders.put_order(order_number=order_number, order=order, today=timezone.localdate())
    return orders.order_representation(stored)


@api.post(
    "/orders:batch",
    auth=ORDERS_WRITE,
    response={200: OrderBatchOut, 422: Problems, **REFUSALS},
    summary="Create or update up to 500 orders, all or none",
    tags=["orders"],
)
def put_orders(request: HttpRequest, batch: OrderBatchIn) -> dict[str, Any]:
    """As `PUT /orders/{order_number}` for each order, in one transaction: one refused order writes none,
    and each problem names its order (`orders[3].lines[0].quantity`)."""
    stored = orders.put_orders(orders=batch.orders, today=timezone.localdate())
    return {"orders": [orders.order_representation(order) for order in stored]}


class MomentOutOfRange(Exception):
    """A moment with a zone that puts it beyond the calendar once in UTC."""


def _in_utc(moment: datetime) -> datetime:
    """The moment in UTC (a moment without a zone is read as UTC): the database takes no offset
    beyond ±15:59, which ISO 8601 allows."""
    if timezone.is_naive(moment):
        return timezone.make_aware(moment, UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise MomentOutOfRange from None


@api.exception_handler(MomentOutOfRange)
def _moment_out_of_range(request: HttpRequest, error: MomentOutOfRange) -> HttpResponse:
    return problems(request, 400, [("updated_since", "This moment is beyond the calendar in UTC.")])


@api.get(
    "/claims",
    auth=CLAIMS_READ,
    response={200: ClaimPage, **REFUSALS},
    summary="Claims changed since a moment, oldest change first",
    tags=["claims"],
)
def list_claims(
    request: HttpRequest,
    updated_since: datetime | None = None,
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(50, ge=1, le=claim_feed.PAGE_SIZE_MAX),
) -> dict[str, Any]:
    """Poll with `updated_since` (ISO 8601 with a zone), then follow `next_cursor` until it is null.
    A claim that changes again comes again, later in the feed."""
    if updated_since is not None:
        updated_since = _in_utc(updated_since)
    page = claim_feed.claims_page(updated_since=updated_since, cursor=cursor, limit=limit)
    return {
        "claims": [claim_feed.claim_representation(claim) for claim in page.claims],
        "next_cursor": page.next_cursor,
    }


@api.get(
    "/claims/{rma}",
    auth=CLAIMS_READ,
    response={200: ClaimOut, 404: Problems, **REFUSALS},
    summary="One claim by its RMA number",
    tags=["claims"],
)
def get_claim(request: HttpRequest, rma: str) -> dict[str, Any]:
    claim = claim_feed.claim_by_rma(rma)
    if claim is None:
        raise Http404(f"No claim {rma}.")
    return claim_feed.claim_representation(claim)
