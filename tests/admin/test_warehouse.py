"""The warehouse page: scan an RMA, mark received (RP4 / WP4 clock), inspect beside the declaration."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from claims.lifecycle import ClaimKind, Status
from claims.models import ClaimPhoto
from tests.admin.conftest import approved_on, signed_in
from tests.factories import make_claim, new_line
from tests.photos import jpeg_bytes, make_photo

WAREHOUSE = reverse("admin:claims_claim_warehouse")


def claim_page(claim) -> str:
    return reverse("admin:claims_claim_warehouse_claim", args=[claim.pk])


def approved_on_or_today(claim) -> str:
    return approved_on(claim) if claim.approved_at else timezone.localdate().isoformat()


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["{rma}", "  {lower}  ", "{bare}"])
def test_a_typed_or_scanned_rma_lands_on_the_claim(warehouse, typed):
    claim = make_claim(Status.APPROVED)
    rma = str(claim.rma_number)
    value = typed.format(rma=rma, lower=rma.lower(), bare=rma.removeprefix("RMA-"))
    response = signed_in(warehouse).get(WAREHOUSE, {"rma": value})
    assert response.status_code == 302
    assert response["Location"] == claim_page(claim)


@pytest.mark.django_db
def test_an_unknown_rma_is_said_so(warehouse):
    response = signed_in(warehouse).get(WAREHOUSE, {"rma": "RMA-1999-000001"})
    assert response.status_code == 200
    assert "No claim has the RMA number" in response.content.decode()


@pytest.mark.django_db
def test_the_page_is_made_for_a_phone(warehouse):
    page = signed_in(warehouse).get(WAREHOUSE).content.decode()
    assert 'name="viewport"' in page
    assert "autofocus" in page
    assert "style=" not in page.split("<body", 1)[1].split("<footer", 1)[0]


@pytest.mark.django_db
def test_marking_received_starts_the_clock(warehouse):
    claim = make_claim(Status.APPROVED)
    client = signed_in(warehouse)
    assert "Mark received" in client.get(claim_page(claim)).content.decode()
    received_on = approved_on(claim)
    response = client.post(claim_page(claim), {"step": "receive", "received_on": received_on})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.RECEIVED
    assert claim.target_on is not None
    assert claim.deadline_on is not None
    event = claim.events.get(kind=Status.RECEIVED)
    assert event.actor == warehouse
    assert event.data["received_on"] == received_on


@pytest.mark.django_db
def test_a_future_receipt_date_is_refused(warehouse):
    claim = make_claim(Status.APPROVED)
    response = signed_in(warehouse).post(claim_page(claim), {"step": "receive", "received_on": "2999-01-01"})
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED


@pytest.mark.django_db
def test_inspection_matching_the_declaration(warehouse):
    claim = make_claim(Status.RECEIVED)
    client = signed_in(warehouse)
    page = client.get(claim_page(claim)).content.decode()
    assert "What the customer declared: tick each point that holds" in page
    # A return's checklist has the return's points only (R2–R4), each ticked when it holds.
    assert 'name="found_intact_unused_packaged"' in page
    assert "found_not_dropped_or_mishandled" not in page
    response = client.post(
        claim_page(claim),
        {
            "step": "inspect",
            "found_intact_unused_packaged": "on",
            "found_no_user_damage": "on",
            "found_all_accessories_included": "on",
            "notes": "Sealed box.",
            "photos": [SimpleUploadedFile("box.jpg", jpeg_bytes(), content_type="image/jpeg")],
        },
        follow=True,
    )
    claim.refresh_from_db()
    assert claim.status == Status.INSPECTED
    assert claim.inspection.mismatches == []
    assert claim.inspection.inspector == warehouse
    assert claim.photos.get().stage == ClaimPhoto.Stage.INSPECTION
    assert any("matches the declaration" in str(message) for message in get_messages(response.wsgi_request))


@pytest.mark.django_db
def test_a_mismatch_is_flagged_for_care(warehouse, care):
    claim = make_claim(Status.RECEIVED)
    signed_in(warehouse).post(
        claim_page(claim),
        {
            "step": "inspect",
            "found_intact_unused_packaged": "on",
            "found_all_accessories_included": "on",
        },
    )
    claim.refresh_from_db()
    assert claim.inspection.mismatches == ["R3"]
    care_page = signed_in(care).get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    assert "Differs from the declaration:" in care_page
    assert "R3" in care_page
    queue = signed_in(care).get(reverse("admin:claims_claim_changelist"), {"mismatch": "yes"})
    assert str(claim.rma_number) in queue.content.decode()


@pytest.mark.django_db
def test_two_warehouse_staff_receiving_the_same_parcel(warehouse):
    claim = make_claim(Status.APPROVED)
    received_on = approved_on(claim)
    first, second = signed_in(warehouse), signed_in(warehouse)
    first.post(claim_page(claim), {"step": "receive", "received_on": received_on})
    response = second.post(claim_page(claim), {"step": "receive", "received_on": received_on}, follow=True)
    assert claim.events.filter(kind=Status.RECEIVED).count() == 1
    # The second is told who was first, and when (issue 15: a second scan is no failure).
    assert any("was already received on" in str(message) for message in get_messages(response.wsgi_request))


NOT_FOR_THE_WAREHOUSE = [status for status in Status if status not in (Status.APPROVED, Status.RECEIVED)]


@pytest.mark.django_db
@pytest.mark.parametrize("status", NOT_FOR_THE_WAREHOUSE)
def test_a_claim_the_warehouse_cannot_act_on_does_not_open(warehouse, status):
    claim = make_claim(status)
    client = signed_in(warehouse)

    page = client.get(claim_page(claim))
    found = client.get(WAREHOUSE, {"rma": str(claim.rma_number)})
    posted = client.post(claim_page(claim), {"step": "receive", "received_on": approved_on_or_today(claim)})

    assert page.status_code == 404
    assert posted.status_code == 404
    assert found.status_code == 200
    said = found.content.decode()
    assert "the warehouse is not expecting its parcel" in said or "was already received on" in said
    claim.refresh_from_db()
    assert claim.status == status


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.APPROVED, Status.RECEIVED])
def test_the_warehouse_does_not_see_what_the_customer_wrote(warehouse, status):
    claim = make_claim(status, description="My neighbour Lan at 12 Hang Bac St. will drop it off.")

    page = signed_in(warehouse).get(claim_page(claim)).content.decode()

    assert str(claim.rma_number) in page
    assert "Hang Bac" not in page
    assert "What the customer said" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("received_on", "message", "field_error"),
    [
        ("0001-01-01", "cannot have arrived before the claim was approved", "Before the approval."),
        ("2000-01-01", "cannot have arrived before the claim was approved", "Before the approval."),
        ("9999-12-31", "cannot be in the future", "In the future."),
    ],
    ids=["year-1", "before-approval", "year-9999"],
)
def test_a_receipt_date_out_of_range_is_refused_beside_the_field(
    warehouse, received_on, message, field_error
):
    claim = make_claim(Status.APPROVED)

    response = signed_in(warehouse).post(claim_page(claim), {"step": "receive", "received_on": received_on})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["receive_form"].errors["received_on"] == [field_error]
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED
    assert not claim.events.filter(kind=Status.RECEIVED).exists()


@pytest.mark.django_db
def test_after_the_inspection_the_desk_returns_to_the_scan(warehouse):
    claim = make_claim(Status.RECEIVED)

    response = signed_in(warehouse).post(claim_page(claim), {"step": "inspect"})

    assert response.status_code == 302
    assert response["Location"] == WAREHOUSE


@pytest.mark.django_db
def test_a_warranty_checklist_has_w4_and_w5_ticked_when_they_hold(warehouse):
    """W4, W5: an unticked point is a finding against the declaration; R2–R4 are not asked."""
    line = new_line()
    claim = make_claim(
        Status.RECEIVED, kind=ClaimKind.WARRANTY, line=line, photos=[make_photo(line.order.customer)]
    )
    client = signed_in(warehouse)
    page = client.get(claim_page(claim)).content.decode()
    assert "No sign of dropping, impact or improper storage" in page
    assert "found_intact_unused_packaged" not in page
    client.post(claim_page(claim), {"step": "inspect", "found_no_third_party_repair": "on"})
    claim.refresh_from_db()
    assert claim.inspection.mismatches == ["W4"]
    assert claim.inspection.signs_of_user_damage is True
    assert claim.inspection.signs_of_third_party_repair is False
