"""GET /api/v1/claims (updated_since, cursor) and GET /api/v1/claims/{rma}."""

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.lifecycle import Status
from claims.models import Claim
from claims.services import approve_claim
from tests.factories import make_claim, new_staff

pytestmark = pytest.mark.django_db


def test_a_claim_by_its_rma_has_status_items_outcome_and_refund(api):
    claim = make_claim(Status.RESOLVED)

    response = api.get(f"/api/v1/claims/{claim.rma_number}")

    assert response.status_code == 200
    body = response.json()
    line = claim.order_line
    assert body["rma"] == claim.rma_number
    assert body["status"] == "resolved"
    assert body["outcome"] == "refund"
    assert body["refund_amount"] == "1250000.00"
    assert body["currency"] == "VND"
    assert body["order_number"] == line.order.number
    assert body["lines"] == [
        {
            "sku": line.product.sku,
            "product_name": line.product.name,
            "quantity": 1,
            "unit_price": "1250000.00",
        }
    ]


def test_an_unknown_rma_is_a_404_in_the_errors_shape(api):
    response = api.get("/api/v1/claims/RMA-1999-000001")

    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "path"


def test_the_feed_pages_by_cursor_through_every_claim_once(api):
    claims = [make_claim() for _ in range(5)]

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = api.get("/api/v1/claims", **query).json()
        seen += [claim["rma"] for claim in body["claims"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert seen == [claim.rma_number for claim in sorted(claims, key=lambda c: (c.updated_at, c.pk))]


def test_updated_since_returns_only_claims_changed_since_then(api):
    old = make_claim()
    Claim.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))
    recent = make_claim()
    since = (timezone.now() - timedelta(days=1)).isoformat()

    body = api.get("/api/v1/claims", updated_since=since).json()

    assert [claim["rma"] for claim in body["claims"]] == [recent.rma_number]
    assert body["next_cursor"] is None


def test_a_moment_with_an_offset_the_database_refuses_is_read_in_utc(api):
    """ISO 8601 allows -21:05; PostgreSQL takes no offset beyond ±15:59 (a 500, found by schemathesis)."""
    make_claim()
    response = api.get("/api/v1/claims", updated_since="2000-01-01T00:00:00-21:05")

    assert response.status_code == 200
    assert len(response.json()["claims"]) == 1


def test_a_claim_changed_again_comes_again_later_in_the_feed(api):
    first, second = make_claim(), make_claim()
    page = api.get("/api/v1/claims", limit=2).json()
    assert [claim["rma"] for claim in page["claims"]] == [first.rma_number, second.rma_number]
    assert page["next_cursor"] is None
    last_seen = page["claims"][-1]["updated_at"]

    approve_claim(claim=first, actor=new_staff())
    body = api.get("/api/v1/claims", updated_since=last_seen).json()

    assert [(claim["rma"], claim["status"]) for claim in body["claims"]] == [
        (second.rma_number, "submitted"),  # at the moment asked for: "since" includes it
        (first.rma_number, "approved"),
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "9999-12-31T23:00:00-21:05"}, "updated_since"),  # past the calendar in UTC
        ({"limit": 0}, "limit"),
        ({"limit": 1000}, "limit"),
    ],
)
def test_a_bad_query_is_a_400_naming_it(api, query, field):
    response = api.get("/api/v1/claims", **query)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
