"""Returns, whole, in real Chromium: the customer on a phone, care and the warehouse in the admin, every
email through the real worker and SMTP (R1–R6, RP1–RP5)."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from claims.lifecycle import Status
from claims.models import Claim
from tests.journeys.conftest import (
    CARE_EMAIL,
    PHONE,
    WAREHOUSE_ADDRESS,
    WAREHOUSE_EMAIL,
    Journey,
    expected_promise,
    long_date,
)
from tests.portal.conftest import write_photo

pytestmark = [pytest.mark.browser, pytest.mark.services]

EMAIL = "ana.pham@example.com"


def file_return(
    journey: Journey,
    phone: Page,
    *,
    product: str,
    reason: str,
    declared: list[str],
    description: str,
    photo: str | None = None,
) -> Claim:
    phone.locator(".order-line", has_text=product).get_by_role("link", name="Return this item").click()
    expect(phone.get_by_role("heading", name=f"Return {product}")).to_be_visible()
    phone.get_by_label(reason).check()
    for statement in declared:
        phone.get_by_label(statement).check()
    phone.get_by_label("Description").fill(description)
    if photo:
        phone.get_by_label("Add photos").set_input_files(photo)
    journey.shot(phone, "customer-return-form")
    phone.get_by_role("button", name="File the return", exact=True).last.click()
    expect(phone.locator(".claim-status")).to_have_text("Submitted")
    claim = Claim.objects.get(order_line__order__customer__email=EMAIL)
    expect(phone.get_by_role("heading", name=claim.rma_number)).to_be_visible()
    journey.shot(phone, "customer-return-filed")
    return claim


R2 = "The item is intact, unused and in its original packaging (R2)."
R3 = "It was not damaged by use or by accident (R3)."
R4 = "All accessories, documents and gifts are included (R4)."
ALL_MET = ["found_intact_unused_packaged", "found_no_user_damage", "found_all_accessories_included"]


def test_change_of_mind_return_is_refunded_within_the_rp4_dates(journey, bought):
    """R1, R2–R4, R6 (customer pays), RP1–RP4: filed in the window, approved, shipped, received,
    inspected as declared, refunded; the page and the emails carry each step and the promised dates."""
    bought("Lighthouse diorama", email=EMAIL, number="ASM200101", purchased_days_ago=6, delivered_days_ago=3)
    phone = journey.customer_signs_in(order_number="ASM200101", email=EMAIL)
    expect(phone.locator(".order-line", has_text="Lighthouse diorama")).to_contain_text("4 days left")  # R1

    claim = file_return(
        journey,
        phone,
        product="Lighthouse diorama",
        reason="Changed my mind",
        declared=[R2, R3, R4],
        description="The colours are darker than on the website.",
    )
    rma = claim.rma_number
    assert rma is not None
    filed = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] We received your return request")
    assert "Lighthouse diorama" in filed.body
    assert "order ASM200101" in filed.body
    assert f"{journey.base_url}/claims/{rma}/" in filed.body

    # Care approves; the policy's payer for a change of mind is the customer (R6).
    care = journey.staff_logs_in(CARE_EMAIL)
    journey.care_approves(care, claim_pk=claim.pk, payer="customer")
    approved = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Approved: how to send the item")
    assert "the shipping is yours to pay" in approved.body
    assert WAREHOUSE_ADDRESS in approved.body  # RP3
    assert f"Write the RMA number {rma} clearly on the parcel" in approved.body

    journey.customer_sees_status(phone, rma=rma, status=Status.APPROVED, step="customer-sees-approved")
    expect(phone.locator(".shipping-payer")).to_contain_text("You pay the shipping")
    journey.customer_marks_shipped(phone, rma=rma, carrier="VNPost", tracking="VN123456789")
    shipped = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Thank you for sending the item")
    assert "Carrier: VNPost. Tracking number: VN123456789." in shipped.body

    # The warehouse, on a phone at the desk: receives today (RP4 day 0), then inspects.
    desk = journey.staff_logs_in(WAREHOUSE_EMAIL, viewport=PHONE)
    journey.warehouse_receives(desk, rma=rma)
    today = timezone.localdate()
    promised = expected_promise(today, target_days=3, deadline_days=5)  # RP4
    claim.refresh_from_db()
    assert (claim.target_on, claim.deadline_on) == (promised.target_on, promised.deadline_on)
    received = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] We received your parcel")
    assert (
        f"process your return or refund by {long_date(promised.target_on)}, "
        f"and at the latest by {long_date(promised.deadline_on)} (within 3–5 business days)"  # RP4
    ) in received.body
    journey.customer_sees_status(phone, rma=rma, status=Status.RECEIVED, step="customer-sees-promised-dates")
    expect(phone.locator(".promised-dates")).to_contain_text(
        f"by {long_date(promised.target_on)}, and at the latest by {long_date(promised.deadline_on)}"
    )

    journey.warehouse_inspects(
        desk, found=ALL_MET, notes="Sealed box, every part present.", expect_message="matches the declaration"
    )
    inspected = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Your item was inspected")
    assert "It matched what you declared" in inspected.body
    assert long_date(promised.deadline_on) in inspected.body

    # Care refunds the price of the line (RP4).
    journey.care_resolves(
        care, claim_pk=claim.pk, outcome="refund", fields={"payment_reference": "PAY-J1-0001"}
    )
    resolved = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Your claim is resolved")
    assert "We refunded 1,250,000 ₫ (payment reference PAY-J1-0001)" in resolved.body

    journey.customer_sees_status(phone, rma=rma, status=Status.RESOLVED, step="customer-sees-refund")
    expect(phone.locator(".outcome")).to_contain_text("Outcome: Refund")
    expect(phone.locator(".timeline")).to_contain_text("Approved")
    # One date format across the timeline.
    expect(phone.locator(".timeline")).to_contain_text(f"Parcel sent to ASM on {long_date(today)}")
    for step in ("Received", "Inspected", "Resolved"):
        expect(phone.locator(".timeline")).to_contain_text(step)
    assert journey.mailbox.subjects(to=EMAIL) == [
        "Your sign-in link for ASM Care",
        f"[{rma}] We received your return request",
        f"[{rma}] Approved: how to send the item",
        f"[{rma}] Thank you for sending the item",
        f"[{rma}] We received your parcel",
        f"[{rma}] Your item was inspected",
        f"[{rma}] Your claim is resolved",
    ]


def test_shipping_damage_is_refunded_and_asm_pays_the_shipping(journey, bought, tmp_path):
    """R5, R6 (ASM pays for shipping damage), R2 waived for the damage, RP2 (photos), RP4: refunded."""
    bought(
        "Street corner diorama", email=EMAIL, number="ASM200201", purchased_days_ago=4, delivered_days_ago=1
    )
    phone = journey.customer_signs_in(order_number="ASM200201", email=EMAIL)
    claim = file_return(
        journey,
        phone,
        product="Street corner diorama",
        reason="Damaged in shipping",
        declared=[R3, R4],
        description="The box arrived crushed and the lamp post is snapped.",
        photo=str(write_photo(tmp_path, "crushed-box.jpg")),
    )
    rma = str(claim.rma_number)
    expect(phone.get_by_role("img", name="Photo crushed-box.jpg")).to_be_visible()
    journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] We received your return request")

    care = journey.staff_logs_in(CARE_EMAIL)
    journey.care_approves(care, claim_pk=claim.pk, payer="asm")  # R6: the policy's payer for the reason
    approved = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Approved: how to send the item")
    assert "ASM pays the shipping; keep the receipt, we reimburse it." in approved.body  # R6
    journey.customer_sees_status(phone, rma=rma, status=Status.APPROVED, step="customer-sees-asm-pays")
    expect(phone.locator(".shipping-payer")).to_contain_text("ASM pays the shipping for this claim.")
    journey.customer_marks_shipped(phone, rma=rma, carrier="GHN", tracking="GHN-20201")

    desk = journey.staff_logs_in(WAREHOUSE_EMAIL, viewport=PHONE)
    journey.warehouse_receives(desk, rma=rma)
    journey.warehouse_inspects(
        desk,
        found=["found_no_user_damage", "found_all_accessories_included", "shipping_damage_confirmed"],
        notes="Outer box crushed in transit; lamp post snapped; every part present.",
        expect_message="matches the declaration",
    )
    journey.care_resolves(care, claim_pk=claim.pk, outcome="refund", fields={"payment_reference": "PAY-J2"})
    resolved = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Your claim is resolved")
    assert "We refunded 1,250,000 ₫ (payment reference PAY-J2)" in resolved.body

    journey.customer_sees_status(phone, rma=rma, status=Status.RESOLVED, step="customer-sees-refund")
    expect(phone.locator(".outcome")).to_contain_text("Outcome: Refund")
    claim.refresh_from_db()
    assert claim.shipping_payer == "asm"
    assert claim.inspection.shipping_damage_confirmed


def test_missing_accessories_fail_inspection_and_the_item_goes_back_with_the_reason(journey, bought):
    """R4, RP5: declared complete, the warehouse finds the paint set missing; care sends the item back and
    tells the customer why; the page shows the finding and the outcome."""
    bought("Shophouse diorama", email=EMAIL, number="ASM200301", purchased_days_ago=5, delivered_days_ago=2)
    phone = journey.customer_signs_in(order_number="ASM200301", email=EMAIL)
    claim = file_return(
        journey,
        phone,
        product="Shophouse diorama",
        reason="Changed my mind",
        declared=[R2, R3, R4],
        description="I ordered two by mistake.",
    )
    rma = str(claim.rma_number)
    care = journey.staff_logs_in(CARE_EMAIL)
    journey.care_approves(care, claim_pk=claim.pk, payer="customer")
    journey.customer_marks_shipped(phone, rma=rma, carrier="VNPost", tracking="VN300301")

    desk = journey.staff_logs_in(WAREHOUSE_EMAIL, viewport=PHONE)
    journey.warehouse_receives(desk, rma=rma)
    journey.warehouse_inspects(
        desk,
        found=["found_intact_unused_packaged", "found_no_user_damage"],
        notes="The paint set and the certificate of authenticity are not in the box.",
        expect_message="differs from the declaration on R4",
    )
    inspected = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Your item was inspected")
    assert "- all accessories, documents and gifts included\n" in inspected.body  # R4, without its code

    reason = "The paint set and the certificate were missing, so the return conditions are not met (R4)."
    journey.care_resolves(care, claim_pk=claim.pk, outcome="returned_to_customer", fields={"note": reason})
    resolved = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Your claim is resolved")
    assert f"Your item is being returned to you, because: {reason}" in resolved.body
    assert "refunded" not in resolved.body

    journey.customer_sees_status(phone, rma=rma, status=Status.RESOLVED, step="customer-sees-returned")
    expect(phone.locator(".outcome")).to_contain_text("Outcome: Returned to the customer")
    expect(phone.locator(".outcome")).to_contain_text(reason)
    expect(phone.locator(".inspection-findings")).to_contain_text(
        "all accessories, documents and gifts included"
    )
    claim.refresh_from_db()
    assert claim.refund_amount is None
