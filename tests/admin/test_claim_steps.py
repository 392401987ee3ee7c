"""Each step on the claim page: it calls its service, names the staff member, and shows refusals."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from claims.lifecycle import ClaimKind, Outcome, Status
from claims.models import Claim, ClaimEvent, Message
from claims.services import InspectionFindings, record_inspection
from policies.models import PolicyTerms
from policies.reasons import DefectCategory, ReturnReason, ShippingPayer
from tests.admin.conftest import order_line, signed_in, staff
from tests.factories import ALL_GOOD, OrderFactory, days_ago, make_claim
from tests.photos import make_photo


def step_url(claim: Claim, step: str) -> str:
    return reverse("admin:claims_claim_step", args=[claim.pk, step])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_the_claim_page_shows_everything_care_needs(care):
    claim = make_claim(Status.INSPECTED)
    page = signed_in(care).get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    order = claim.order_line.order
    for expected in (
        claim.rma_number,
        order.number,
        order.customer.email,
        claim.description,
        "Eligible",  # the verdict as filed
        "Audit timeline",
        "Matches the declaration",
        "Policy terms when filed",
    ):
        assert str(expected) in page, expected
    # Nothing on the claim can be edited through the form.
    assert 'name="status"' not in page
    assert 'name="shipping_payer"' not in page
    assert 'name="_save"' not in page


@pytest.mark.django_db
def test_photos_are_thumbnails_opening_full_size(care):
    line = order_line()
    customer = line.order.customer
    claim = make_claim(
        Status.SUBMITTED, line=line, reason=ReturnReason.MANUFACTURING_DEFECT, photos=[make_photo(customer)]
    )
    photo = claim.photos.get()
    client = signed_in(care)
    page = client.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    full = reverse("claim_photo", args=[photo.pk])
    assert f'href="{full}"' in page
    assert f'src="{reverse("claim_photo_thumbnail", args=[photo.pk])}"' in page
    response = client.get(full)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


@pytest.mark.django_db
def test_request_info_sends_the_question(care):
    claim = make_claim(Status.SUBMITTED)
    response = signed_in(care).post(step_url(claim, "request-info"), {"question": "Is the box intact?"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.INFO_REQUESTED
    assert Message.objects.get(claim=claim, kind=Message.Kind.QUESTION).body == "Is the box intact?"
    assert claim.notifications.filter(template_key="info_requested").exists()


@pytest.mark.django_db
def test_approve_shows_the_destination_and_keeps_the_policy_payer(care):
    PolicyTerms.objects.update(warehouse_address="ASM Returns Warehouse\n12 Nguyen Hue, District 1")
    claim = make_claim(Status.SUBMITTED, reason=ReturnReason.CHANGED_MIND)
    client = signed_in(care)
    page = client.get(step_url(claim, "approve")).content.decode()
    assert "The customer ships to" in page
    assert "12 Nguyen Hue, District 1" in page
    assert "was never set" not in page
    assert 'value="customer" checked' in page.replace("\n", " ") or "checked" in page

    client.post(step_url(claim, "approve"), {"shipping_payer": "customer"})
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED
    assert claim.shipping_payer == ShippingPayer.CUSTOMER
    assert claim.shipping_payer_note == ""


@pytest.mark.django_db
def test_approving_while_the_address_was_never_set_warns_care_and_the_home_page_too(care):
    """RP3: the seeded placeholder is a loud warning for staff, never an address."""
    claim = make_claim(Status.SUBMITTED, reason=ReturnReason.CHANGED_MIND)
    client = signed_in(care)
    page = client.get(step_url(claim, "approve")).content.decode()
    assert "The warehouse address was never set." in page
    assert "The customer ships to" not in page
    home = client.get(reverse("admin:index")).content.decode()
    assert "Customers cannot be told where to send their items" in home
    assert "not set yet: the warehouse address, the warranty center address" in home


@pytest.mark.django_db
def test_warranty_approval_sends_the_customer_to_the_warranty_center(care):
    claim = make_claim(Status.SUBMITTED)
    claim.kind = ClaimKind.WARRANTY
    claim.policy_terms = {**claim.policy_terms, "warranty_center_address": "Warranty center, 9 Repair St"}
    claim.save(update_fields=["kind", "policy_terms"])
    page = signed_in(care).get(step_url(claim, "approve")).content.decode()
    assert "Warranty center, 9 Repair St" in page


@pytest.mark.django_db
def test_overriding_the_payer_needs_a_reason(care):
    claim = make_claim(Status.SUBMITTED, reason=ReturnReason.CHANGED_MIND)
    client = signed_in(care)

    response = client.post(step_url(claim, "approve"), {"shipping_payer": "asm"})
    assert response.status_code == 200
    assert "Required when you change who pays." in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED
    assert not claim.events.filter(kind=Status.APPROVED).exists()

    response = client.post(
        step_url(claim, "approve"),
        {"shipping_payer": "asm", "payer_override_reason": "Box crushed on arrival"},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.shipping_payer == ShippingPayer.ASM
    assert claim.shipping_payer_note == "Box crushed on arrival"
    event = claim.events.get(kind=Status.APPROVED)
    assert event.actor == care
    assert event.data["payer_overridden"] is True


@pytest.mark.django_db
def test_reject_with_a_structured_reason_and_message(care):
    claim = make_claim(Status.SUBMITTED)
    client = signed_in(care)
    response = client.post(step_url(claim, "reject"), {"reason": "user_damage", "message": " "})
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED

    client.post(
        step_url(claim, "reject"), {"reason": "user_damage", "message": "The base is cracked by a fall."}
    )
    claim.refresh_from_db()
    assert claim.status == Status.REJECTED
    assert claim.reject_reason == "user_damage"
    assert claim.outcome_note == "The base is cracked by a fall."


@pytest.mark.django_db
def test_resolve_proposes_the_refund_from_price_and_quantity(care):
    claim = make_claim(Status.INSPECTED)
    page = signed_in(care).get(step_url(claim, "resolve")).content.decode()
    assert 'value="1250000.00"' in page
    assert "shipping_reimbursement" not in page  # nothing confirmed that ASM owed shipping
    assert "replacement" not in page  # a return is refunded or sent back, never repaired


@pytest.mark.django_db
def test_resolve_refund_needs_amount_and_reference(care):
    claim = make_claim(Status.INSPECTED)
    client = signed_in(care)
    response = client.post(
        step_url(claim, "resolve"), {"outcome": "refund", "refund_amount": "", "payment_reference": ""}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the amount refunded." in page
    assert "Enter the payment reference." in page
    claim.refresh_from_db()
    assert claim.status == Status.INSPECTED

    client.post(
        step_url(claim, "resolve"),
        {"outcome": "refund", "refund_amount": "1250000.00", "payment_reference": "PAY-42"},
    )
    claim.refresh_from_db()
    assert claim.status == Status.RESOLVED
    assert claim.outcome == Outcome.REFUND
    assert claim.refund_amount == Decimal("1250000.00")
    assert claim.payment_reference == "PAY-42"


@pytest.mark.django_db
def test_shipping_is_reimbursed_when_inspection_confirms_asm_owed_it(care):
    claim = make_claim(Status.RECEIVED, reason=ReturnReason.OTHER)  # the customer pays until care decides
    record_inspection(
        claim=claim,
        actor=staff("Warehouse staff"),
        findings=InspectionFindings(**{**ALL_GOOD.__dict__, "defect_confirmed": True}),
    )
    client = signed_in(care)
    assert "shipping_reimbursement" in client.get(step_url(claim, "resolve")).content.decode()
    client.post(
        step_url(claim, "resolve"),
        {
            "outcome": "refund",
            "refund_amount": "1250000.00",
            "payment_reference": "PAY-43",
            "shipping_reimbursement": "45000.00",
        },
    )
    claim.refresh_from_db()
    assert claim.status == Status.RESOLVED
    assert claim.shipping_reimbursement == Decimal("45000.00")


@pytest.mark.django_db
def test_returning_the_item_ignores_the_refund_fields_it_does_not_use(care):
    """RP5: "Returned to the customer" refunds nothing, whatever the form still held."""
    claim = make_claim(Status.INSPECTED)
    client = signed_in(care)
    page = client.get(step_url(claim, "resolve")).content.decode()
    assert 'data-applies-to="refund"' in page  # hidden by follow-choice.js for other outcomes
    client.post(
        step_url(claim, "resolve"),
        {
            "outcome": "returned_to_customer",
            "note": "The box was opened and used.",
            "refund_amount": "not a number",
            "payment_reference": "PAY-99",
        },
    )
    claim.refresh_from_db()
    assert claim.status == Status.RESOLVED
    assert (claim.refund_amount, claim.payment_reference) == (None, "")
    assert claim.events.get(kind=Status.RESOLVED).data["refund_amount"] is None


@pytest.mark.django_db
def test_returning_the_item_needs_the_reason(care):
    claim = make_claim(Status.INSPECTED)
    client = signed_in(care)
    response = client.post(step_url(claim, "resolve"), {"outcome": "returned_to_customer", "note": ""})
    assert "Tell the customer why the item is sent back (RP5)." in response.content.decode()
    client.post(
        step_url(claim, "resolve"), {"outcome": "returned_to_customer", "note": "Used, scratches (R2)."}
    )
    claim.refresh_from_db()
    assert claim.outcome == Outcome.RETURNED_TO_CUSTOMER


@pytest.mark.django_db
def test_warranty_is_resolved_by_replacement_or_repair(care):
    claim = make_claim(Status.INSPECTED)
    claim.kind = ClaimKind.WARRANTY
    claim.save(update_fields=["kind"])
    client = signed_in(care)
    page = client.get(step_url(claim, "resolve")).content.decode()
    assert "Replacement" in page
    assert "refund_amount" not in page
    client.post(step_url(claim, "resolve"), {"outcome": "replacement", "note": "A new kit ships today."})
    claim.refresh_from_db()
    assert claim.outcome == Outcome.REPLACEMENT


@pytest.mark.django_db
def test_internal_note_is_logged_but_hidden_from_the_customer(care):
    claim = make_claim(Status.RESOLVED)
    signed_in(care).post(step_url(claim, "note"), {"body": "Customer called to thank us."})
    event = claim.events.get(kind="internal_note")
    assert event.actor == care
    assert event.customer_visible is False


@pytest.mark.django_db
def test_two_staff_acting_at_once_one_succeeds_the_other_is_told(care):
    claim = make_claim(Status.SUBMITTED)
    other = type(care).objects.create_user("care2@asm.example", "pw-12345678", is_staff=True)
    other.groups.set(care.groups.all())
    first, second = signed_in(care), signed_in(other)
    # Both opened the approve page before either pressed the button.
    assert first.get(step_url(claim, "approve")).status_code == 200
    assert second.get(step_url(claim, "reject")).status_code == 200

    assert first.post(step_url(claim, "approve"), {"shipping_payer": "customer"}).status_code == 302
    response = second.post(step_url(claim, "reject"), {"reason": "other", "message": "No."}, follow=True)

    claim.refresh_from_db()
    assert claim.status == Status.APPROVED
    assert claim.events.filter(kind=Status.REJECTED).count() == 0
    assert any("cannot be rejected" in message for message in messages_of(response))


@pytest.mark.django_db
def test_a_step_page_for_a_claim_past_that_step_sends_back_to_the_claim(care):
    claim = make_claim(Status.APPROVED)
    response = signed_in(care).get(step_url(claim, "approve"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:claims_claim_change", args=[claim.pk])


@pytest.mark.django_db
def test_bulk_approve_reports_each_refusal(care):
    submitted = make_claim(Status.SUBMITTED)
    rejected = make_claim(Status.REJECTED)
    response = signed_in(care).post(
        reverse("admin:claims_claim_changelist"),
        {"action": "approve_selected", "_selected_action": [submitted.pk, rejected.pk], "index": 0},
        follow=True,
    )
    submitted.refresh_from_db()
    rejected.refresh_from_db()
    assert submitted.status == Status.APPROVED
    assert rejected.status == Status.REJECTED
    texts = messages_of(response)
    assert "1 claim approved." in texts
    assert any(str(rejected.rma_number) in text for text in texts)


# --- Filing for a customer -----------------------------------------------------


@pytest.mark.django_db
def test_care_files_a_claim_for_a_customer_who_phoned(care):
    line = order_line()
    client = signed_in(care)
    add_url = reverse("admin:claims_claim_add")
    page = client.get(add_url, {"order": line.order.number.lower()}).content.decode()
    assert line.product.name in page

    response = client.post(
        f"{add_url}?order={line.order.number}",
        {
            "order_line": line.pk,
            "kind": "return",
            "quantity": 1,
            "return_reason": "changed_mind",
            "description": "Phoned: wants to return it, unopened.",
            "intact_unused_packaged": "on",
            "no_user_damage": "on",
            "all_accessories_included": "on",
            # A warranty statement and category left from another choice of kind: ignored for a return.
            "not_dropped_or_mishandled": "on",
            "defect_category": "other",
        },
    )
    assert 'data-applies-with="kind" data-applies-to="warranty"' in page  # hidden for a return
    claim = Claim.objects.get(order_line=line)
    assert response.status_code == 302
    assert (claim.declared_not_dropped_or_mishandled, claim.defect_category) == (False, "")
    assert claim.filed_by == care
    event = claim.events.get(kind=Status.SUBMITTED)
    assert event.actor == care
    assert event.data["filed_by_staff"] is True


@pytest.mark.django_db
def test_filing_for_a_customer_applies_the_same_checks(care):
    line = order_line(order=OrderFactory(purchased_on=days_ago(40), delivered_on=days_ago(30)))
    client = signed_in(care)
    response = client.post(
        f"{reverse('admin:claims_claim_add')}?order={line.order.number}",
        {
            "order_line": line.pk,
            "kind": "return",
            "quantity": 1,
            "return_reason": "changed_mind",
            "description": "Phoned.",
            "intact_unused_packaged": "on",
            "no_user_damage": "on",
            "all_accessories_included": "on",
        },
    )
    assert response.status_code == 200
    assert "return window ended" in response.content.decode()
    assert not Claim.objects.filter(order_line=line).exists()
    assert not ClaimEvent.objects.exists()


def file_warranty_claim(care, line, *, photos):
    """Care files a W3 warranty claim for the customer who emailed, with ``photos``."""
    return signed_in(care).post(
        f"{reverse('admin:claims_claim_add')}?order={line.order.number}",
        {
            "order_line": line.pk,
            "kind": "warranty",
            "quantity": 1,
            "defect_category": DefectCategory.PARTS_DO_NOT_FIT,
            "description": "Emailed: the tower does not fit the base.",
            "not_dropped_or_mishandled": "on",
            "no_third_party_repair": "on",
            "photos": photos,
        },
    )


@pytest.mark.django_db
def test_filing_a_warranty_claim_with_photos(care):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.photos import jpeg_bytes

    line = order_line()
    response = file_warranty_claim(
        care, line, photos=[SimpleUploadedFile("tower.jpg", jpeg_bytes(), content_type="image/jpeg")]
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = Claim.objects.get(order_line=line)
    assert claim.kind == ClaimKind.WARRANTY
    assert claim.photos.count() == 1


@pytest.mark.django_db
def test_filing_with_photos_over_the_request_pixel_budget_stores_nothing(care):
    """Issue 11: each photo under the per-photo limit, together more than one request may decode."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from claims.models import ClaimPhoto
    from tests.portal.images import image_bytes

    line = order_line()
    huge = image_bytes(format="PNG", size=(6324, 6324), mode="1", colour=0)
    response = file_warranty_claim(
        care, line, photos=[SimpleUploadedFile(f"huge-{index}.png", huge, "image/png") for index in range(3)]
    )
    assert response.status_code == 200
    assert "too large to process at once" in response.content.decode()
    assert not ClaimPhoto.objects.exists()
    assert not Claim.objects.filter(order_line=line).exists()


@pytest.mark.django_db
def test_the_warehouse_lands_on_its_page_and_care_on_the_home_page(care, warehouse):
    """Warehouse staff have one page: the admin's home sends them to it, with nothing contradictory."""
    landed = signed_in(warehouse).get(reverse("admin:index"))
    assert landed.status_code == 302
    assert landed["Location"] == reverse("admin:claims_claim_warehouse")
    home = signed_in(care).get(reverse("admin:index")).content.decode()
    assert "Claims waiting for care" in home
    assert "You don’t have permission" not in home
    assert "ASM Care back office" in home
    assert "Django administration" not in home
