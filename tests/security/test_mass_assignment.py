"""Extra fields a customer posts to a portal form are ignored: only the form's own fields are read.

Each form gets, beside its valid data, a status, another customer, a shipping
payer, stage dates, an RMA number, claim and owner ids, a refund amount and
staff flags; the claim comes out exactly as the form alone would make it.
"""

from datetime import timedelta
from typing import Any, cast

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.lifecycle import ClaimKind, Status
from claims.models import Claim, OrderLine, User
from policies.reasons import ReturnReason, ShippingPayer
from tests.factories import OrderLineFactory, make_claim
from tests.photos import make_photo
from tests.security.world import OWNER, World

pytestmark = pytest.mark.django_db

LONG_AGO = "2020-01-01"


def extras(world: World, *, victim: Claim | None = None) -> dict[str, Any]:
    """Everything a customer might try to set that no portal form offers."""
    other = world.other_customer
    return {
        "status": Status.RESOLVED,
        "customer": str(other.pk),
        "customer_id": str(other.pk),
        "owner": str(other.pk),
        "owner_id": str(other.pk),
        "order_line": "1",
        "order_line_id": "1",
        "claim": str(victim.pk) if victim else "1",
        "claim_id": str(victim.pk) if victim else "1",
        "shipping_payer": ShippingPayer.ASM,
        "submitted_at": LONG_AGO,
        "approved_at": LONG_AGO,
        "received_at": LONG_AGO,
        "target_on": LONG_AGO,
        "deadline_on": LONG_AGO,
        "closed_at": LONG_AGO,
        "rma_number": "RMA-0000-HACKED",
        "refund_amount": "99999999",
        "outcome": "refund",
        "filed_by": "1",
        "is_staff": "on",
        "is_superuser": "on",
        "policy_terms": '{"return_window_days": 3650}',
    }


def _owner_unchanged(world: World) -> None:
    owner = User.objects.get(pk=world.owner.pk)
    assert not owner.is_staff
    assert not owner.is_superuser


def test_filing_a_return_ignores_extra_fields(world: World):
    line = world.line()
    someone_elses_photo = make_photo(world.other_customer)
    data = {
        **extras(world),
        "return_reason": ReturnReason.CHANGED_MIND,
        "quantity": "1",
        "intact_unused_packaged": "on",
        "no_user_damage": "on",
        "all_accessories_included": "on",
        "description": "I changed my mind.",
        "photos": [str(someone_elses_photo.pk)],
        "kind": ClaimKind.WARRANTY,
    }

    response = world.client(OWNER).post(reverse("portal:file_return", args=[line.pk]), data)

    assert response.status_code == 302
    claim = Claim.objects.get(order_line=line)
    assert claim.kind == ClaimKind.RETURN
    assert claim.status == Status.SUBMITTED
    assert claim.shipping_payer == ShippingPayer.CUSTOMER  # R6: a change of mind is the customer's
    assert claim.rma_number != "RMA-0000-HACKED"
    assert claim.order_line.order.customer == world.owner
    assert claim.refund_amount is None
    assert claim.outcome == ""
    assert claim.approved_at is None
    assert claim.target_on is None
    assert claim.submitted_at > timezone.now() - timedelta(minutes=5)
    assert claim.filed_by in (None, world.owner)
    assert claim.policy_terms["return_window_days"] == 7
    assert list(claim.photos.all()) == []
    someone_elses_photo.refresh_from_db()
    assert someone_elses_photo.claim is None
    _owner_unchanged(world)


def test_filing_a_warranty_claim_ignores_extra_fields(world: World):
    line = world.line()
    photo = make_photo(world.owner)
    data = {
        **extras(world),
        "defect_category": "manufacturing_breakage",
        "quantity": "1",
        "description": "A wing came off the base.",
        "photos": [str(photo.pk)],
        "not_dropped_or_mishandled": "on",
        "no_third_party_repair": "on",
        "kind": ClaimKind.RETURN,
    }

    response = world.client(OWNER).post(reverse("portal:file_warranty", args=[line.pk]), data)

    assert response.status_code == 302
    claim = Claim.objects.get(order_line=line)
    assert claim.kind == ClaimKind.WARRANTY
    assert claim.status == Status.SUBMITTED
    assert claim.rma_number != "RMA-0000-HACKED"
    assert claim.refund_amount is None
    assert claim.approved_at is None
    _owner_unchanged(world)


def test_marking_shipped_ignores_extra_fields(world: World):
    claim = world.claim(Status.APPROVED)
    payer = claim.shipping_payer
    shipped_on = timezone.localdate()
    data = {
        **extras(world),
        "shipped_on": shipped_on.isoformat(),
        "carrier": "VNPost",
        "tracking_number": "T1",
    }

    response = world.client(OWNER).post(reverse("portal:mark_shipped", args=[claim.rma_number]), data)

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED
    assert claim.shipped_on == shipped_on
    assert claim.shipping_payer == payer
    assert claim.received_at is None
    assert claim.refund_amount is None
    assert claim.rma_number != "RMA-0000-HACKED"


def test_answering_ignores_extra_fields(world: World):
    claim = world.claim(Status.INFO_REQUESTED)
    payer = claim.shipping_payer
    data = {**extras(world), "answer": "Here is the box."}

    response = world.client(OWNER).post(reverse("portal:answer", args=[claim.rma_number]), data)

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED  # the answer sends it back to care, nothing further
    assert claim.approved_at is None
    assert claim.refund_amount is None
    assert claim.shipping_payer == payer


def test_cancelling_ignores_extra_fields_and_another_customers_claim_id(world: World):
    victim = make_claim_for_someone_else(world)
    claim = world.submitted

    response = world.client(OWNER).post(
        reverse("portal:cancel", args=[claim.rma_number]), extras(world, victim=victim)
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    victim.refresh_from_db()
    assert claim.status == Status.CANCELLED
    assert claim.refund_amount is None
    assert victim.status == Status.SUBMITTED


def test_signing_in_ignores_extra_fields(world: World):
    order = world.submitted.order_line.order
    data = {**extras(world, victim=world.submitted), "order_number": order.number, "email": world.owner.email}
    claims_before = list(Claim.objects.values())

    response = world.client("anonymous").post(reverse("portal:sign_in"), data)

    assert response.status_code == 302
    _owner_unchanged(world)
    assert not User.objects.filter(is_superuser=True).exists()
    assert list(Claim.objects.values()) == claims_before


def make_claim_for_someone_else(world: World) -> Claim:
    line = cast(OrderLine, OrderLineFactory(order__customer=world.other_customer))
    return make_claim(Status.SUBMITTED, line=line)
