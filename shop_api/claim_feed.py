"""Claims as the shop reads them: one representation for the API's answers and the webhooks' bodies.

The feed is ordered by (``updated_at``, id) and paged by a cursor holding the
last pair read, so a claim changed while the shop pages through comes again
on a later page, and none is skipped.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from claims.models import Claim

# PRODUCT.md: amounts are in VND.
CURRENCY = "VND"
PAGE_SIZE_MAX = 200


class BadCursor(ValueError):
    pass


def _decimal_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def claim_representation(claim: Claim) -> dict[str, Any]:
    """A claim as JSON values: status, items, outcome, refund amount and currency, and its order."""
    line = claim.order_line
    return {
        "rma": claim.rma_number,
        "kind": claim.kind,
        "status": claim.status,
        "order_number": line.order.number,
        "lines": [
            {
                "sku": line.product.sku,
                "product_name": line.product.name,
                "quantity": claim.quantity,
                "unit_price": _decimal_text(line.unit_price),
            }
        ],
        "outcome": claim.outcome or None,
        "refund_amount": _decimal_text(claim.refund_amount),
        "currency": CURRENCY,
        "submitted_at": _moment(claim.submitted_at),
        "updated_at": _moment(claim.updated_at),
        "closed_at": _moment(claim.closed_at),
    }


def _claims() -> QuerySet[Claim]:
    return Claim.objects.filter(rma_number__isnull=False).select_related(
        "order_line__order", "order_line__product"
    )


def claim_by_rma(rma: str) -> Claim | None:
    return _claims().filter(rma_number=rma).first()


def encode_cursor(claim: Claim) -> str:
    return base64.urlsafe_b64encode(f"{claim.updated_at.isoformat()}|{claim.pk}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        moment_text, _bar, pk_text = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        moment = parse_datetime(moment_text)
        pk = int(pk_text)
    except (binascii.Error, UnicodeError, ValueError) as error:
        raise BadCursor("not a cursor this API gave") from error
    if moment is None or moment.tzinfo is None:
        raise BadCursor("not a cursor this API gave")
    return moment, pk


@dataclass(frozen=True)
class ClaimPage:
    claims: list[Claim]
    next_cursor: str | None


def claims_page(*, updated_since: datetime | None, cursor: str | None, limit: int) -> ClaimPage:
    """Up to ``limit`` claims changed at or after ``updated_since`` and after ``cursor``, oldest first."""
    claims = _claims()
    if updated_since is not None:
        claims = claims.filter(updated_at__gte=updated_since)
    if cursor:
        moment, pk = _decode_cursor(cursor)
        claims = claims.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk))
    page = list(claims.order_by("updated_at", "pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return ClaimPage(claims=page, next_cursor=encode_cursor(page[-1]) if more else None)
