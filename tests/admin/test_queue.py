"""The care queue: filters, search, columns, orderings, and a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.lifecycle import Status
from claims.models import Claim
from claims.services import InspectionFindings, record_inspection
from tests.admin.conftest import order_line, signed_in, staff
from tests.factories import ALL_GOOD, ProductFactory, make_claim

CHANGELIST = reverse("admin:claims_claim_changelist")


def listed(response) -> set[str]:
    return {str(claim.rma_number) for claim in response.context["cl"].result_list}


def move_dates(claim: Claim, *, target_days: int, deadline_days: int) -> None:
    """Place a received claim's RP4 target and deadline relative to today (a fixture, not a status change)."""
    today = timezone.localdate()
    Claim.objects.filter(pk=claim.pk).update(
        target_on=today + timedelta(days=target_days), deadline_on=today + timedelta(days=deadline_days)
    )


@pytest.mark.django_db
def test_due_soon_and_overdue_come_from_the_dates(care):
    calm = make_claim(Status.RECEIVED)
    move_dates(calm, target_days=2, deadline_days=4)
    due = make_claim(Status.RECEIVED)
    move_dates(due, target_days=0, deadline_days=2)
    late = make_claim(Status.INSPECTED)
    move_dates(late, target_days=-3, deadline_days=-1)
    closed_late = make_claim(Status.RESOLVED)
    move_dates(closed_late, target_days=-3, deadline_days=-1)
    client = signed_in(care)

    assert listed(client.get(CHANGELIST, {"deadline": "due_soon"})) == {due.rma_number, late.rma_number}
    assert listed(client.get(CHANGELIST, {"deadline": "overdue"})) == {late.rma_number}
    page = client.get(CHANGELIST).content.decode()
    assert "asm-overdue" in page
    assert "asm-due-soon" in page


@pytest.mark.django_db
def test_filters_by_kind_status_payer_and_mismatch(care):
    submitted = make_claim(Status.SUBMITTED)
    received = make_claim(Status.RECEIVED)
    differs = record_inspection(
        claim=make_claim(Status.RECEIVED),
        actor=staff("Warehouse staff"),
        findings=InspectionFindings(**{**ALL_GOOD.__dict__, "found_all_accessories_included": False}),
    )
    client = signed_in(care)
    assert listed(client.get(CHANGELIST, {"status__exact": "received"})) == {received.rma_number}
    assert listed(client.get(CHANGELIST, {"kind__exact": "return"})) >= {submitted.rma_number}
    assert submitted.rma_number in listed(client.get(CHANGELIST, {"shipping_payer__exact": "customer"}))
    assert listed(client.get(CHANGELIST, {"mismatch": "yes"})) == {differs.rma_number}
    assert listed(client.get(CHANGELIST, {"queue": "care"})) == {submitted.rma_number, differs.rma_number}
    assert "Differs from the declaration" in client.get(CHANGELIST).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["rma", "order", "email", "product"])
def test_search_by_rma_order_email_and_product(care, term):
    wanted = make_claim(Status.SUBMITTED, line=order_line(product=ProductFactory(name="Harbour at dawn")))
    make_claim(Status.SUBMITTED)
    line = wanted.order_line
    query = {
        "rma": str(wanted.rma_number),
        "order": line.order.number,
        "email": line.order.customer.email,
        "product": line.product.name,
    }[term]
    assert listed(signed_in(care).get(CHANGELIST, {"q": query})) == {wanted.rma_number}


@pytest.mark.django_db
def test_newest_first_and_most_urgent_first(care):
    older = make_claim(Status.RECEIVED)
    move_dates(older, target_days=0, deadline_days=1)
    newer = make_claim(Status.RECEIVED)
    move_dates(newer, target_days=3, deadline_days=5)
    submitted = make_claim(Status.SUBMITTED)
    client = signed_in(care)

    newest = client.get(CHANGELIST)
    assert [c.rma_number for c in newest.context["cl"].result_list] == [
        submitted.rma_number,
        newer.rma_number,
        older.rma_number,
    ]
    urgent_url = newest.context["urgent_url"]
    urgent = client.get(CHANGELIST + urgent_url)
    assert [c.rma_number for c in urgent.context["cl"].result_list] == [
        older.rma_number,
        newer.rma_number,
        submitted.rma_number,
    ]


@pytest.mark.django_db
def test_the_next_date_follows_the_state(care):
    approved = make_claim(Status.APPROVED)
    received = make_claim(Status.RECEIVED)
    page = signed_in(care).get(CHANGELIST).content.decode()
    ship_by = timezone.localdate(approved.approved_at) + timedelta(
        days=approved.policy_terms["ship_expiry_days"]
    )
    assert f"ship by {ship_by.isoformat()}" in page
    assert f"deadline {received.deadline_on}" in page


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(CHANGELIST).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_list_costs_the_same_number_of_queries_for_1_or_30_claims(care):
    client = signed_in(care)
    make_claim(Status.INSPECTED)
    one = count_queries(client)
    statuses = [
        Status.SUBMITTED,
        Status.APPROVED,
        Status.RECEIVED,
        Status.INSPECTED,
        Status.RESOLVED,
        Status.REJECTED,
    ]
    for index in range(29):
        make_claim(statuses[index % len(statuses)])
    assert Claim.objects.count() == 30
    assert count_queries(client) == one
