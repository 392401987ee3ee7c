"""Every email, rendered from the rows the services and the sweep really record: the right facts,
a link to the claim, and nothing of another customer's."""

import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from claims.deadlines import sweep_deadlines
from claims.emails import NothingToSend, render_email
from claims.lifecycle import ClaimKind, Outcome, RejectReason
from claims.models import Claim, Notification, User
from claims.outbox import record_notification
from claims.services import (
    InspectionFindings,
    answer_info_request,
    approve_claim,
    expire_claim,
    mark_shipped,
    receive_claim,
    record_inspection,
    reject_claim,
    request_info,
    resolve_claim,
)
from policies.models import PolicyTerms
from policies.reasons import DefectCategory, ShippingPayer
from policies.terms import Terms
from tests.background.celery_app import use_broker
from tests.factories import ALL_GOOD, make_claim, new_customer, new_line, new_order, new_staff
from tests.photos import make_photo

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 2 March 2026: received today, a return's target is Thursday 5 March and its deadline
# Monday 9 March (RP4: the 3rd and 5th business days); the sweep runs on Tuesday 10 March.
FILED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL)
SWEPT_AT = datetime(2026, 3, 10, 10, 0, tzinfo=LOCAL)
CUSTOMER_KEYS = [
    "submitted",
    "info_requested",
    "approved",
    "shipped",
    "received",
    "inspected",
    "resolved",
    "rejected",
    "cancelled",
    "expired",
    "ship_reminder",
    "info_reminder",
    "delay_notice",
]
STAFF_KEYS = ["target_passed", "deadline_missed"]
TEMPLATES = Path(django_settings.BASE_DIR) / "templates" / "emails"


@pytest.fixture(autouse=True)
def _in_process_broker():
    with use_broker("memory://"):
        yield


def walk_every_email(customer: User, tag: str) -> dict[str, Claim]:
    """Claims of ``customer`` that between them produce every email; ``tag`` marks their free text."""
    staff = new_staff()
    with time_machine.travel(FILED_AT, tick=False):
        journey = make_claim(line=new_line(order__customer=customer), staff=staff)
        request_info(claim=journey, actor=staff, question=f"{tag}: could you photograph the <box>?")
        answer_info_request(claim=journey, actor=customer, answer="Here it is.")
        approve_claim(claim=journey, actor=staff)
        mark_shipped(
            claim=journey,
            actor=customer,
            shipped_on=timezone.localdate(),
            carrier=f"{tag} Express",
            tracking_number=f"{tag}-TRACK-1",
        )
        receive_claim(claim=journey, actor=staff)
        record_inspection(
            claim=journey,
            actor=staff,
            findings=InspectionFindings(**{**ALL_GOOD.__dict__, "found_intact_unused_packaged": False}),
        )
        resolve_claim(
            claim=journey,
            actor=staff,
            outcome=Outcome.REFUND,
            refund_amount=Decimal("1250000.00"),
            payment_reference=f"PAY-{tag}",
        )
        rejected = make_claim(line=new_line(order__customer=customer), staff=staff)
        reject_claim(
            claim=rejected, actor=staff, reason=RejectReason.USER_DAMAGE, message=f"{tag}: dented corner."
        )
        cancelled = make_claim("cancelled", line=new_line(order__customer=customer), staff=staff)
        expired = make_claim("info_requested", line=new_line(order__customer=customer), staff=staff)
        expire_claim(claim=expired, why=f"{tag}: no answer came.")
        waiting_shipment = make_claim("approved", line=new_line(order__customer=customer), staff=staff)
        waiting_answer = make_claim(line=new_line(order__customer=customer), staff=staff)
        request_info(claim=waiting_answer, actor=staff, question=f"{tag}: which scale is it?")
        late = make_claim("received", line=new_line(order__customer=customer), staff=staff)
    return {
        "submitted": journey,
        "info_requested": journey,
        "approved": journey,
        "shipped": journey,
        "received": journey,
        "inspected": journey,
        "resolved": journey,
        "rejected": rejected,
        "cancelled": cancelled,
        "expired": expired,
        "ship_reminder": waiting_shipment,
        "info_reminder": waiting_answer,
        "delay_notice": late,
        "target_passed": late,
        "deadline_missed": late,
    }


@pytest.fixture
def alice_and_bob() -> dict[str, Claim]:
    PolicyTerms.objects.update(warehouse_address="ASM Returns Warehouse\n12 Nguyen Hue, District 1")
    alice = new_customer(email="alice@example.com", full_name="Alice Nguyen")
    bob = new_customer(email="bob@example.com", full_name="Bob Tran")
    claims = walk_every_email(alice, "Alice")
    walk_every_email(bob, "Bob")
    sweep_deadlines(now=SWEPT_AT)
    return claims


def facts(key: str, claim: Claim) -> list[str]:
    """What each email must say (dates as the templates format them)."""
    terms = Terms.from_snapshot(claim.policy_terms)
    rma = str(claim.rma_number)
    by_key: dict[str, list[str]] = {
        "submitted": [rma, claim.order_line.product.name],
        "info_requested": ["Alice: could you photograph the"],
        "approved": [rma, terms.warehouse_address.splitlines()[0], "yours to pay"],  # RP3, R6
        "shipped": ["Monday, 2 March 2026", "Alice Express", "Alice-TRACK-1"],
        "received": ["Thursday, 5 March 2026", "Monday, 9 March 2026", "within 3–5 business days"],  # RP4
        "inspected": ["intact, unused and in its original packaging"],  # R2, worded without its code
        "resolved": ["1,250,000 ₫", "PAY-Alice"],
        "rejected": [str(RejectReason.USER_DAMAGE.label), "Alice: dented corner."],
        "cancelled": ["cancelled"],
        "expired": ["Alice: no answer came."],
        "ship_reminder": [terms.warehouse_address.splitlines()[0], "Monday, 16 March 2026"],
        "info_reminder": ["Alice: which scale is it?", "Monday, 16 March 2026"],
        "delay_notice": ["Monday, 9 March 2026"],
        "target_passed": [rma, "Thursday, 5 March 2026", "Monday, 9 March 2026"],
        "deadline_missed": [rma, "Monday, 9 March 2026"],
    }
    return by_key[key]


def test_every_template_folder_is_covered_here():
    folders = {path.name for path in TEMPLATES.iterdir() if path.is_dir()}
    assert folders == {*CUSTOMER_KEYS, *STAFF_KEYS, "sign_in_link"}
    for folder in folders:
        assert {path.name for path in (TEMPLATES / folder).iterdir()} == {
            "subject.txt",
            "body.txt",
            "body.html",
        }


def assert_nothing_of_bobs(*parts: str) -> None:
    bobs_claims = Claim.objects.filter(order_line__order__customer__email="bob@example.com")
    bobs_data = ["bob@example.com", "Bob", *[str(claim.rma_number) for claim in bobs_claims]]
    bobs_data += [claim.order_line.order.number for claim in bobs_claims]
    for part in parts:
        for datum in bobs_data:
            assert datum not in part, f"{datum!r} of another customer in the email"


@pytest.mark.parametrize("key", CUSTOMER_KEYS)
def test_customer_email_states_the_facts_links_to_the_claim_and_nothing_else(alice_and_bob, key):
    claim = alice_and_bob[key]
    notification = Notification.objects.get(claim=claim, template_key=key)
    email = render_email(notification)
    assert notification.recipient == "alice@example.com"
    assert str(claim.rma_number) in email.subject
    for part in (email.text, email.html):
        assert "Alice Nguyen" in part
        assert f"{django_settings.ASM_SITE_URL}/claims/{claim.rma_number}/" in part
        for fact in facts(key, claim):
            assert fact in part, f"{key}: {fact!r} missing"
    assert_nothing_of_bobs(email.subject, email.text, email.html)


@pytest.mark.parametrize(
    ("key", "recipient"),
    [("target_passed", "ASM_CARE_STAFF_EMAIL"), ("deadline_missed", "ASM_CARE_MANAGERS_EMAIL")],
)
def test_staff_alerts_go_to_their_address_and_link_to_the_admin(alice_and_bob, key, recipient):
    """RP4 / WP4: the target date reached tells the staff on duty; the deadline missed, the managers."""
    claim = alice_and_bob[key]
    notification = Notification.objects.get(claim=claim, template_key=key)
    email = render_email(notification)
    assert notification.recipient == getattr(django_settings, recipient)
    assert str(claim.rma_number) in email.subject
    for part in (email.text, email.html):
        assert f"{django_settings.ASM_SITE_URL}/admin/claims/claim/{claim.pk}/change/" in part
        for fact in facts(key, claim):
            assert fact in part
    assert_nothing_of_bobs(email.subject, email.text, email.html)


def test_free_text_is_escaped_in_html_and_kept_in_plain_text(alice_and_bob):
    email = render_email(
        Notification.objects.get(claim=alice_and_bob["info_requested"], template_key="info_requested")
    )
    assert "photograph the <box>?" in email.text
    assert "photograph the &lt;box&gt;?" in email.html
    assert "<box>" not in email.html


def test_approval_says_asm_pays_shipping_when_it_does():
    """R6: care overrode the payer, and the email says ASM pays."""
    claim = make_claim()
    approve_claim(
        claim=claim, actor=new_staff(), shipping_payer=ShippingPayer.ASM, payer_override_reason="Goodwill."
    )
    email = render_email(Notification.objects.get(claim=claim, template_key="approved"))
    assert "ASM pays the shipping" in email.text
    assert "yours to pay" not in email.text


@pytest.mark.parametrize(
    ("outcome", "note", "expected"),
    [
        (Outcome.REPAIR, "", "repaired"),
        (Outcome.REPLACEMENT, "", "replacement"),
        (Outcome.RETURNED_TO_CUSTOMER, "Dropped: W4 does not cover it.", "Dropped: W4 does not cover it."),
    ],
)
def test_warranty_outcomes_are_told(outcome, note, expected):
    """WP4: repaired or replaced; RP5 / W4: returned with the reason."""
    line = new_line()
    photo = make_photo(line.order.customer)
    claim = make_claim(
        "inspected",
        kind=ClaimKind.WARRANTY,
        line=line,
        photos=[photo],
        category=DefectCategory.PARTS_DO_NOT_FIT,
    )
    resolve_claim(claim=claim, actor=new_staff(), outcome=outcome, note=note)
    email = render_email(Notification.objects.get(claim=claim, template_key="resolved"))
    assert expected in email.text
    assert expected in email.html


def test_warranty_received_email_promises_the_wp4_dates():
    line = new_line()
    claim = make_claim(
        "received", kind=ClaimKind.WARRANTY, line=line, photos=[make_photo(line.order.customer)]
    )
    email = render_email(Notification.objects.get(claim=claim, template_key="received"))
    assert "within 7–10 business days" in email.text  # WP4
    assert f"{claim.deadline_on:%-d %B %Y}" in email.text


def test_the_sign_in_link_email_has_the_link_and_its_expiry_and_no_claim(settings):
    alice = new_order(customer=new_customer(email="alice@example.com"), number="ASM100777").customer
    notification = record_notification(
        template_key="sign_in_link",
        recipient="alice@example.com",
        unique_key="sign-in:alice:1",
        context={"order_number": "asm100777"},
    )
    email = render_email(notification)
    assert email.subject == "Your sign-in link for ASM Care"
    link = re.search(r"\S+/sign-in/link/\?token=[\w:.-]+", email.text)
    assert link is not None
    assert link.group(0).startswith(settings.ASM_SITE_URL)
    token = link.group(0).partition("token=")[2]
    opened = Client().get(link.group(0).removeprefix(settings.ASM_SITE_URL))
    assert opened.status_code == 200
    assert alice.email in opened.content.decode()  # "You are signing in as …"
    for part in (email.text, email.html):
        assert token in part
        assert "30 minutes" in part
        assert "/claims/" not in part


@pytest.mark.parametrize(
    ("recipient", "order_number"),
    [("alice@example.com", "ASM999999"), ("mallory@example.com", "ASM100777")],
    ids=["unknown order", "another email"],
)
def test_a_sign_in_request_that_matches_no_customer_renders_nothing(recipient, order_number):
    new_order(customer=new_customer(email="alice@example.com"), number="ASM100777")
    notification = record_notification(
        template_key="sign_in_link",
        recipient=recipient,
        unique_key="sign-in:1",
        context={"order_number": order_number},
    )
    with pytest.raises(NothingToSend):
        render_email(notification)


CLAUSE_CODE = re.compile(r"\b(?:RP|WP|R|W)[1-6]\b")


@pytest.mark.parametrize("key", CUSTOMER_KEYS)
def test_customer_emails_speak_without_clause_codes(alice_and_bob, key):
    """Customers read "within 3–5 business days", never "RP4: ..." (the codes are for staff)."""
    email = render_email(Notification.objects.get(claim=alice_and_bob[key], template_key=key))
    for part in (email.subject, email.text, email.html):
        assert not CLAUSE_CODE.search(part), f"{key}: {CLAUSE_CODE.search(part)!r}"
