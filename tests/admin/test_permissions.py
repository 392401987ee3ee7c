"""The permission matrix: each role × each step and page. Refused steps change nothing and log nothing."""

from typing import Any

import pytest
from django.urls import reverse

from claims.lifecycle import ClaimKind, Status
from claims.models import Claim, ClaimEvent
from tests.admin.conftest import approved_on, signed_in, staff
from tests.factories import make_claim

ROLES = ["Care staff", "Warehouse staff", "Care managers"]

# step → (status the claim must be in, URL kind, form data, status after)
STEPS: dict[str, tuple[str, str, dict[str, Any], str | None]] = {
    "request-info": (
        Status.SUBMITTED,
        "step",
        {"question": "Could you send the box?"},
        Status.INFO_REQUESTED,
    ),
    "approve": (Status.SUBMITTED, "step", {"shipping_payer": "customer"}, Status.APPROVED),
    "reject": (Status.SUBMITTED, "step", {"reason": "other", "message": "Not eligible."}, Status.REJECTED),
    "resolve": (
        Status.INSPECTED,
        "step",
        {"outcome": "refund", "refund_amount": "1250000.00", "payment_reference": "PAY-7"},
        Status.RESOLVED,
    ),
    "note": (Status.SUBMITTED, "step", {"body": "Called the customer."}, None),
    "receive": (
        Status.APPROVED,
        "warehouse",
        {"step": "receive", "received_on": "2020-01-01"},
        Status.RECEIVED,
    ),
    "inspect": (
        Status.RECEIVED,
        "warehouse",
        {"step": "inspect", "found_intact_unused_packaged": "on", "found_no_user_damage": "on"},
        Status.INSPECTED,
    ),
}

ALLOWED = {
    "Care staff": {"request-info", "approve", "reject", "resolve", "note"},
    "Warehouse staff": {"receive", "inspect"},
    "Care managers": {"request-info", "approve", "reject", "resolve", "note"},
}


def step_url(kind: str, claim: Claim, step: str) -> str:
    if kind == "warehouse":
        return reverse("admin:claims_claim_warehouse_claim", args=[claim.pk])
    return reverse("admin:claims_claim_step", args=[claim.pk, step])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", list(STEPS))
def test_each_role_can_take_exactly_its_steps(role, step):
    status, kind, data, status_after = STEPS[step]
    claim = make_claim(status)
    if step == "receive":
        data = {**data, "received_on": approved_on(claim)}
    member = staff(role)
    events_before = ClaimEvent.objects.filter(claim=claim).count()

    response = signed_in(member).post(step_url(kind, claim, step), data)

    claim.refresh_from_db()
    events = ClaimEvent.objects.filter(claim=claim).order_by("pk")
    if step in ALLOWED[role]:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert events.count() == events_before + 1
        assert events.reverse()[0].actor == member
        if status_after:
            assert claim.status == status_after
    else:
        assert response.status_code == 403
        assert claim.status == status
        assert events.count() == events_before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_bulk_approve_follows_the_same_permission(role):
    claim = make_claim(Status.SUBMITTED)
    member = staff(role)
    response = signed_in(member).post(
        reverse("admin:claims_claim_changelist"),
        {"action": "approve_selected", "_selected_action": [claim.pk], "index": 0},
    )
    claim.refresh_from_db()
    if role == "Warehouse staff":
        assert response.status_code == 403
        assert claim.status == Status.SUBMITTED
    else:
        assert claim.status == Status.APPROVED
        assert claim.events.reverse()[0].actor == member


def page_urls(claim: Claim) -> dict[str, str]:
    order = claim.order_line.order
    return {
        "claims": reverse("admin:claims_claim_changelist"),
        "claim": reverse("admin:claims_claim_change", args=[claim.pk]),
        "file claim": reverse("admin:claims_claim_add"),
        "orders": reverse("admin:claims_order_changelist"),
        "order": reverse("admin:claims_order_change", args=[order.pk]),
        "customers": reverse("admin:claims_customer_changelist"),
        "customer": reverse("admin:claims_customer_change", args=[order.customer.pk]),
        "products": reverse("admin:claims_product_changelist"),
        "warehouse": reverse("admin:claims_claim_warehouse"),
        "warehouse claim": reverse("admin:claims_claim_warehouse_claim", args=[claim.pk]),
        "dashboard": reverse("admin:claims_claim_dashboard"),
        "policy terms": reverse("admin:policies_policyterms_changelist"),
        "closure days": reverse("admin:policies_closureday_changelist"),
        "add closure day": reverse("admin:policies_closureday_add"),
        "users": reverse("admin:claims_user_changelist"),
    }


CARE_PAGES = {"claims", "claim", "file claim", "orders", "order", "customers", "customer", "products"}
PAGES_BY_ROLE = {
    "Care staff": CARE_PAGES,
    "Warehouse staff": {"warehouse", "warehouse claim"},
    "Care managers": CARE_PAGES | {"dashboard", "policy terms", "closure days", "add closure day"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_its_pages(role):
    claim = make_claim(Status.APPROVED)
    client = signed_in(staff(role))
    for page, url in page_urls(claim).items():
        expected = 200 if page in PAGES_BY_ROLE[role] else 403
        assert client.get(url).status_code == expected, (role, page)


@pytest.mark.django_db
def test_a_customer_cannot_enter_the_back_office():
    claim = make_claim(Status.SUBMITTED)
    client = signed_in(claim.order_line.order.customer)
    response = client.get(reverse("admin:claims_claim_change", args=[claim.pk]))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_buttons_on_the_claim_page_follow_the_role(care, warehouse):
    claim = make_claim(Status.SUBMITTED, kind=ClaimKind.RETURN)
    page = signed_in(care).get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    for step in ("request-info", "approve", "reject", "note"):
        assert reverse("admin:claims_claim_step", args=[claim.pk, step]) in page
    assert reverse("admin:claims_claim_step", args=[claim.pk, "resolve"]) not in page
