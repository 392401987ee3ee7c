"""The audit trail: every kind of event is named once (``ClaimEventKind``) and records what changed."""

from typing import cast

import pytest
from django.utils import timezone

from claims.lifecycle import ClaimEventKind, Status
from claims.models import ClaimEvent, User
from claims.services import approve_claim, mark_shipped
from policies.reasons import ShippingPayer
from tests.factories import StaffFactory, make_claim

pytestmark = pytest.mark.django_db


def test_every_status_reached_is_a_kind_of_event():
    assert {status.value for status in Status} <= set(ClaimEventKind.values)


def test_a_change_of_status_records_the_old_and_new_value_of_each_column_it_wrote():
    claim = make_claim(Status.SUBMITTED)  # the customer pays for a change of mind (R6)
    care = cast(User, StaffFactory(role="Care staff"))
    approve_claim(
        claim=claim, actor=care, shipping_payer=ShippingPayer.ASM, payer_override_reason="Goodwill."
    )

    event = ClaimEvent.objects.get(claim=claim, kind=ClaimEventKind.APPROVED)
    changes = event.data["changes"]
    assert changes["shipping_payer"] == {"old": ShippingPayer.CUSTOMER, "new": ShippingPayer.ASM}
    assert changes["shipping_payer_note"] == {"old": "", "new": "Goodwill."}
    assert changes["approved_at"]["old"] is None
    assert changes["approved_at"]["new"].startswith(str(timezone.localdate().year))
    assert (event.from_status, event.to_status, event.actor) == (Status.SUBMITTED, Status.APPROVED, care)


def test_a_step_within_a_status_is_its_own_kind_with_what_it_recorded():
    claim = make_claim(Status.APPROVED)
    shipped_on = timezone.localdate(claim.approved_at)
    mark_shipped(claim=claim, actor=claim.order_line.order.customer, shipped_on=shipped_on, carrier="VNPost")

    event = ClaimEvent.objects.get(claim=claim, kind=ClaimEventKind.SHIPPED)
    assert event.data == {"shipped_on": shipped_on.isoformat(), "carrier": "VNPost", "tracking_number": ""}
    assert event.get_kind_display() == "Parcel sent to ASM"
