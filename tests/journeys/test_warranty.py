"""Warranty claims, whole, in real Chromium: the customer on a phone, care and the warranty center in the
admin, every email through the real worker and SMTP (W1–W5, WP1–WP4, R6)."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from claims.lifecycle import ClaimKind, Status
from claims.models import Claim, ClaimPhoto
from tests.journeys.conftest import (
    CARE_EMAIL,
    PHONE,
    WAREHOUSE_EMAIL,
    WARRANTY_CENTER_ADDRESS,
    Journey,
    expected_promise,
    long_date,
)
from tests.portal.conftest import write_photo

pytestmark = [pytest.mark.browser, pytest.mark.services]

EMAIL = "binh.tran@example.com"
W4 = "The model was not dropped, hit hard or stored improperly (W4)."
W5 = "It was not repaired by anyone other than ASM (W5)."


def file_warranty(
    journey: Journey, phone: Page, *, product: str, category: str, description: str, photo
) -> Claim:
    """WP1, WP2: from "my orders", past the return window: category, description, a photo, W4 and W5."""
    line = phone.locator(".order-line", has_text=product)
    line.get_by_role("link", name="Item defective? File a warranty claim").click()
    expect(phone.get_by_role("heading", name=f"Warranty claim: {product}")).to_be_visible()
    phone.get_by_label(category).check()
    phone.get_by_label("Description").fill(description)
    phone.get_by_label("Add photos").set_input_files(str(photo))
    phone.get_by_label(W4).check()
    phone.get_by_label(W5).check()
    journey.shot(phone, "customer-warranty-form")
    phone.get_by_role("button", name="File the warranty claim").last.click()
    expect(phone.locator(".claim-status")).to_have_text(str(Status.SUBMITTED.label))
    claim = Claim.objects.get(order_line__order__customer__email=EMAIL)
    journey.shot(phone, "customer-warranty-filed")
    return claim


def approved_and_shipped(journey: Journey, phone: Page, claim: Claim) -> tuple[Page, Page]:
    """WP3: care approves (ASM pays the shipping of a covered defect, R6), the customer ships it."""
    rma = str(claim.rma_number)
    journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] We received your warranty request")
    care = journey.staff_logs_in(CARE_EMAIL)
    journey.care_approves(care, claim_pk=claim.pk, payer="asm")
    approved = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Approved: how to send the item")
    assert "ASM pays the shipping" in approved.body  # R6
    assert WARRANTY_CENTER_ADDRESS in approved.body  # WP3
    journey.customer_sees_status(phone, rma=rma, status=Status.APPROVED, step="customer-sees-approved")
    expect(phone.locator(".shipping-instructions")).to_contain_text("ASM's warranty center")
    expect(phone.locator(".shipping-payer")).to_contain_text("ASM pays the shipping")
    journey.customer_marks_shipped(phone, rma=rma, carrier="Viettel Post", tracking="VTP-55501")
    journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Thank you for sending the item")
    return care, journey.staff_logs_in(WAREHOUSE_EMAIL, viewport=PHONE)


def test_parts_that_do_not_fit_are_replaced_within_the_wp4_dates(journey, bought, tmp_path):
    """W1, W3 (covered), R6 (ASM pays), WP1–WP4: filed with a photo, approved, shipped to the warranty
    center, received (WP4: 7–10 business days), defect confirmed, replaced."""
    bought("Windmill diorama", email=EMAIL, number="ASM300401", purchased_days_ago=60, delivered_days_ago=57)
    phone = journey.customer_signs_in(order_number="ASM300401", email=EMAIL)
    claim = file_warranty(
        journey,
        phone,
        product="Windmill diorama",
        category="Parts do not fit",
        description="The blades do not fit on the axle; the hole is 1 mm too small.",
        photo=write_photo(tmp_path, "axle.jpg"),
    )
    rma = str(claim.rma_number)
    assert claim.kind == ClaimKind.WARRANTY
    care, desk = approved_and_shipped(journey, phone, claim)

    journey.warehouse_receives(desk, rma=rma)
    promised = expected_promise(timezone.localdate(), target_days=7, deadline_days=10)  # WP4
    received = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] We received your parcel")
    assert (
        f"repair or replace it by {long_date(promised.target_on)}, "
        f"and at the latest by {long_date(promised.deadline_on)} (within 7–10 business days)"  # WP4
    ) in received.body
    journey.customer_sees_status(phone, rma=rma, status=Status.RECEIVED, step="customer-sees-promised-dates")
    expect(phone.locator(".promised-dates")).to_contain_text(
        f"repair or replace it by {long_date(promised.target_on)}, "
        f"and at the latest by {long_date(promised.deadline_on)}"
    )

    journey.warehouse_inspects(
        desk,
        found=["found_not_dropped_or_mishandled", "found_no_third_party_repair", "defect_confirmed"],
        notes="Axle hole drilled 3 mm instead of 4 mm: a moulding fault.",
        expect_message="matches the declaration",
    )
    journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Your item was inspected")
    journey.care_resolves(
        care,
        claim_pk=claim.pk,
        outcome="replacement",
        fields={"note": "A new windmill leaves our warehouse tomorrow."},
    )
    resolved = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Your claim is resolved")
    assert "We are sending you a replacement Windmill diorama." in resolved.body
    assert "A new windmill leaves our warehouse tomorrow." in resolved.body

    journey.customer_sees_status(phone, rma=rma, status=Status.RESOLVED, step="customer-sees-replacement")
    expect(phone.locator(".outcome")).to_contain_text("Outcome: Replacement")
    claim.refresh_from_db()
    assert (claim.target_on, claim.deadline_on) == (promised.target_on, promised.deadline_on)
    assert claim.shipping_payer == "asm"


def test_a_dropped_model_is_returned_with_the_reason_and_the_evidence(journey, bought, tmp_path):
    """W4 (not covered), RP5: the warranty center finds impact marks and photographs them; care returns
    the model with the reason; the customer sees the finding, the notes and the inspection's photo."""
    bought(
        "Citadel gate diorama", email=EMAIL, number="ASM300501", purchased_days_ago=90, delivered_days_ago=88
    )
    phone = journey.customer_signs_in(order_number="ASM300501", email=EMAIL)
    claim = file_warranty(
        journey,
        phone,
        product="Citadel gate diorama",
        category="Broken or damaged part from manufacturing",
        description="The left tower snapped off at its base.",
        photo=write_photo(tmp_path, "tower.jpg"),
    )
    rma = str(claim.rma_number)
    care, desk = approved_and_shipped(journey, phone, claim)

    journey.warehouse_receives(desk, rma=rma)
    evidence = write_photo(tmp_path, "impact-marks.jpg", "grey")
    journey.warehouse_inspects(
        desk,
        found=["found_no_third_party_repair"],
        notes="Crushed corner and impact marks under the base: consistent with a drop.",
        expect_message="differs from the declaration on W4",
        photos=[evidence],
    )
    inspected = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Your item was inspected")
    assert "It did not match what you declared" in inspected.body
    assert "- not dropped, hit or stored improperly\n" in inspected.body  # W4, worded without its code

    reason = "The base shows impact marks from a drop, which the warranty does not cover (W4)."
    journey.care_resolves(care, claim_pk=claim.pk, outcome="returned_to_customer", fields={"note": reason})
    resolved = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Your claim is resolved")
    assert f"Your item is being returned to you, because: {reason}" in resolved.body

    journey.customer_sees_status(phone, rma=rma, status=Status.RESOLVED, step="customer-sees-the-evidence")
    expect(phone.locator(".outcome")).to_contain_text("Outcome: Returned to the customer")
    expect(phone.locator(".outcome")).to_contain_text(reason)
    findings = phone.locator(".inspection-findings")
    expect(findings).to_contain_text("not dropped, hit or stored improperly")  # W4
    expect(findings).to_contain_text("consistent with a drop")
    expect(phone.get_by_role("img", name="Photo impact-marks.jpg")).to_be_visible()
    photo = ClaimPhoto.objects.get(claim=claim, stage=ClaimPhoto.Stage.INSPECTION)
    shown = phone.request.get(f"/photos/{photo.pk}/")
    assert shown.status == 200
    assert shown.headers["content-type"] == "image/jpeg"
    journey.shot(phone, "customer-sees-the-evidence-photo")


def test_a_late_return_of_a_defect_continues_as_a_warranty_claim(journey, bought, tmp_path):
    """R1, W1, W2, WP2 (PRODUCT.md: a late return with a defect is offered the warranty path, carrying
    over the description and photos): the customer starts a return on the window's last day and sends it
    after midnight; the portal offers the warranty claim, already filled in."""
    bought(
        "Lantern street diorama", email=EMAIL, number="ASM300601", purchased_days_ago=9, delivered_days_ago=7
    )
    phone = journey.customer_signs_in(order_number="ASM300601", email=EMAIL)
    line = phone.locator(".order-line", has_text="Lantern street diorama")
    expect(line).to_contain_text("Today is the last day to file a return.")  # R1: delivery + 7, inclusive
    line.get_by_role("link", name="Return this item").click()
    description = "Two lanterns came with their hooks snapped off inside the sealed bag."
    phone.get_by_label("Manufacturing defect").check()
    phone.get_by_label("It was not damaged by use or by accident (R3).").check()
    phone.get_by_label("All accessories, documents and gifts are included (R4).").check()
    phone.get_by_label("Description").fill(description)
    phone.get_by_label("Add photos").set_input_files(str(write_photo(tmp_path, "snapped-hooks.jpg")))
    journey.shot(phone, "customer-return-form-last-day")

    after_midnight = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=1), time(0, 30))
    )
    with time_machine.travel(after_midnight, tick=True):
        phone.get_by_role("button", name="File the return", exact=True).last.click()
        offer = phone.locator(".warranty-offer")
        expect(offer).to_contain_text("The return window has closed, but a defect is covered by the warranty")
        journey.shot(phone, "customer-offered-the-warranty")
        offer.get_by_role("button", name="Continue as a warranty claim").click()

        expect(phone.get_by_role("heading", name="Warranty claim: Lantern street diorama")).to_be_visible()
        expect(phone.get_by_label("Description")).to_have_value(description)
        expect(phone.get_by_label("Broken or damaged part from manufacturing")).to_be_checked()
        expect(phone.locator(".photo-drafts img")).to_have_count(1)
        phone.get_by_label(W4).check()
        phone.get_by_label(W5).check()
        journey.shot(phone, "customer-warranty-carried-over")
        phone.get_by_role("button", name="File the warranty claim").last.click()
        expect(phone.locator(".claim-status")).to_have_text(str(Status.SUBMITTED.label))
        expect(phone.get_by_role("img", name="Photo snapped-hooks.jpg")).to_be_visible()
        journey.shot(phone, "customer-warranty-filed")
        # Delivered while the clock still reads the next day: the outbox row is due from then on.
        claim = Claim.objects.get(order_line__order__customer__email=EMAIL)
        assert claim.kind == ClaimKind.WARRANTY
        assert claim.defect_category == "manufacturing_breakage"
        assert claim.description == description
        assert [photo.original_name for photo in claim.photos.all()] == ["snapped-hooks.jpg"]
        filed = journey.mailbox.wait_for(
            to=EMAIL, subject=f"[{claim.rma_number}] We received your warranty request"
        )
        assert "Lantern street diorama" in filed.body
        assert not Claim.objects.filter(kind=ClaimKind.RETURN).exists()
