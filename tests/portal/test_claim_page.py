"""The claim page: status, timeline, promised dates, shipping instructions, answering, cancelling."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.emails import render_email
from claims.lifecycle import Outcome, Status
from claims.models import Claim, ClaimEvent, ClaimPhoto, Message, Notification
from claims.services import add_internal_note, request_info, resolve_claim
from policies.models import PolicyTerms
from tests.factories import make_claim, new_staff
from tests.portal.images import upload

pytestmark = pytest.mark.django_db


def detail_url(claim: Claim) -> str:
    return reverse("portal:claim_detail", args=[claim.rma_number])


@pytest.fixture
def claim_of(line):
    def walk(status: str = Status.SUBMITTED) -> Claim:
        return make_claim(status, line=line)

    return walk


def test_a_submitted_claim_shows_status_timeline_and_request(signed_in, claim_of):
    claim = claim_of()
    text = signed_in.get(detail_url(claim)).content.decode()
    assert claim.rma_number in text
    assert "Submitted" in text
    assert "by you" in text
    assert "The model is not what I expected." in text
    assert "Cancel this claim" in text
    assert "Shipping instructions" not in text


def test_internal_notes_never_show(signed_in, claim_of):
    claim = claim_of()
    add_internal_note(claim=claim, actor=new_staff(), body="Customer sounds upset; be quick.")
    text = signed_in.get(detail_url(claim)).content.decode()
    assert "sounds upset" not in text


def test_an_approved_claim_gives_shipping_instructions_from_its_snapshot(signed_in, claim_of):
    PolicyTerms.objects.update(warehouse_address="ASM Returns Warehouse\n12 Nguyen Hue, District 1")
    claim = claim_of(Status.APPROVED)
    text = signed_in.get(detail_url(claim)).content.decode()
    warehouse = claim.policy_terms["warehouse_address"].splitlines()[0]
    assert warehouse
    assert warehouse in text
    assert "You pay the shipping" in text  # change of mind: R6
    assert f'<strong class="rma-on-parcel">{claim.rma_number}</strong>' in text
    assert "Mark as sent" in text


def test_an_address_never_set_is_not_shown_and_the_customer_waits_for_it(signed_in, claim_of):
    """RP3: the seeded placeholder ("care managers: set the real address") never reaches a customer."""
    claim = claim_of(Status.APPROVED)
    assert "set the real address" in claim.policy_terms["warehouse_address"]
    text = signed_in.get(detail_url(claim)).content.decode()
    assert "set the real address" not in text
    assert "We will email you the address" in text
    assert "Send the item to ASM's warehouse:" not in text
    approved = render_email(Notification.objects.get(claim=claim, template_key="approved"))
    assert "set the real address" not in approved.text + approved.html
    assert "we will email you the address" in approved.text


def test_an_address_set_after_filing_is_the_one_shown(signed_in, claim_of):
    claim = claim_of(Status.APPROVED)
    PolicyTerms.objects.update(warehouse_address="ASM Returns Warehouse\n12 Nguyen Hue, District 1")
    assert "12 Nguyen Hue, District 1" in signed_in.get(detail_url(claim)).content.decode()


def test_shipping_instructions_go_once_the_parcel_is_in_and_the_next_step_follows_the_status(
    signed_in, claim_of
):
    claim = claim_of(Status.RECEIVED)
    text = signed_in.get(detail_url(claim)).content.decode()
    assert "Shipping instructions" not in text
    assert "are inspecting the item" in text
    assert text.count("What happens next") == 1


def test_a_sent_back_return_is_not_a_success_and_says_what_the_customer_may_do(signed_in, claim_of):
    """RP5: the outcome comes first, as a refusal, and a second return of the item is not offered."""
    claim = claim_of(Status.INSPECTED)
    resolve_claim(
        claim=claim, actor=new_staff(), outcome=Outcome.RETURNED_TO_CUSTOMER, note="The box was opened."
    )
    text = signed_in.get(detail_url(claim)).content.decode()
    assert "alert-success" not in text
    assert "What happens next" not in text
    assert text.index("Outcome: Returned to the customer") < text.index("Timeline")
    assert "This item cannot be returned again." in text
    orders = signed_in.get(reverse("portal:orders")).content.decode()
    assert reverse("portal:file_return", args=[claim.order_line.pk]) not in orders
    assert "was not accepted, so this item cannot be returned again" in orders
    again = signed_in.get(reverse("portal:file_return", args=[claim.order_line.pk]))
    assert again.status_code == 302


def test_marking_shipped_records_the_date_and_tracking(signed_in, claim_of):
    claim = claim_of(Status.APPROVED)
    today = timezone.localdate()
    response = signed_in.post(
        reverse("portal:mark_shipped", args=[claim.rma_number]),
        {"shipped_on": today.isoformat(), "carrier": "VNPost", "tracking_number": "VN123"},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.shipped_on, claim.carrier, claim.tracking_number) == (today, "VNPost", "VN123")
    text = signed_in.get(detail_url(claim)).content.decode()
    assert "You sent it on" in text
    assert "Cancel this claim" not in text  # cancel only before shipping


def test_a_future_ship_date_is_explained_next_to_the_field(signed_in, claim_of):
    claim = claim_of(Status.APPROVED)
    response = signed_in.post(
        reverse("portal:mark_shipped", args=[claim.rma_number]),
        {"shipped_on": (timezone.localdate() + timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 200
    assert "shipped_on" in response.context["ship_form"].errors
    claim.refresh_from_db()
    assert claim.shipped_on is None


def test_marking_a_submitted_claim_shipped_is_refused(signed_in, claim_of):
    claim = claim_of()
    response = signed_in.post(
        reverse("portal:mark_shipped", args=[claim.rma_number]), {"shipped_on": timezone.localdate()}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.shipped_on is None


def test_a_received_claim_shows_the_promised_dates(signed_in, claim_of):
    claim = claim_of(Status.RECEIVED)
    text = signed_in.get(detail_url(claim)).content.decode()
    assert "We aim to complete the return or refund by" in text
    assert claim.target_on.strftime("%B") in text


def test_answering_a_question_with_a_photo(signed_in, claim_of):
    claim = claim_of(Status.INFO_REQUESTED)
    page = signed_in.get(detail_url(claim)).content.decode()
    assert "Could you send a photo of the box?" in page
    response = signed_in.post(
        reverse("portal:answer", args=[claim.rma_number]),
        {"answer": "Here is the box.", "new_photos": [upload("box.jpg")], "action": "submit"},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED
    assert Message.objects.filter(claim=claim, kind=Message.Kind.ANSWER, body="Here is the box.").exists()
    photo = ClaimPhoto.objects.get(claim=claim)
    assert photo.stage == ClaimPhoto.Stage.ANSWER
    assert "Here is the box." in signed_in.get(detail_url(claim)).content.decode()


def test_an_empty_answer_is_explained_and_keeps_the_photo(signed_in, claim_of):
    claim = claim_of(Status.INFO_REQUESTED)
    response = signed_in.post(
        reverse("portal:answer", args=[claim.rma_number]), {"answer": "", "new_photos": [upload()]}
    )
    assert response.status_code == 200
    form = response.context["answer_form"]
    assert "answer" in form.errors
    assert len(form.draft_photos) == 1
    claim.refresh_from_db()
    assert claim.status == Status.INFO_REQUESTED


def test_answering_when_no_question_is_open_is_refused(signed_in, claim_of):
    claim = claim_of()
    response = signed_in.post(reverse("portal:answer", args=[claim.rma_number]), {"answer": "Hello"})
    assert response.status_code == 302
    assert not Message.objects.filter(kind=Message.Kind.ANSWER).exists()


def test_cancel_asks_then_cancels(signed_in, claim_of):
    claim = claim_of()
    url = reverse("portal:cancel", args=[claim.rma_number])
    confirm = signed_in.get(url)
    assert confirm.status_code == 200
    assert "Yes, cancel the claim" in confirm.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED  # GET changes nothing
    assert signed_in.post(url).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.CANCELLED
    assert ClaimEvent.objects.filter(claim=claim, kind=Status.CANCELLED).exists()


def test_a_shipped_claim_cannot_be_cancelled(signed_in, claim_of):
    claim = claim_of(Status.APPROVED)
    signed_in.post(
        reverse("portal:mark_shipped", args=[claim.rma_number]), {"shipped_on": timezone.localdate()}
    )
    url = reverse("portal:cancel", args=[claim.rma_number])
    assert signed_in.get(url).status_code == 302
    signed_in.post(url)
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED


def test_a_resolved_claim_shows_the_outcome(signed_in, claim_of):
    claim = claim_of(Status.RESOLVED)
    text = signed_in.get(detail_url(claim)).content.decode()
    assert "Outcome" in text
    assert "Refund" in text
    assert "Cancel this claim" not in text


def test_a_rejected_claim_shows_the_reason(signed_in, claim_of):
    claim = claim_of(Status.REJECTED)
    text = signed_in.get(detail_url(claim)).content.decode()
    assert "Not accepted" in text
    assert "Not eligible." in text


def test_a_second_question_is_the_one_shown(signed_in, claim_of):
    claim = claim_of(Status.INFO_REQUESTED)
    signed_in.post(reverse("portal:answer", args=[claim.rma_number]), {"answer": "Sent.", "action": "submit"})
    request_info(claim=claim, actor=new_staff(), question="And the receipt, please?")
    response = signed_in.get(detail_url(claim))
    assert response.context["page"].latest_question.note == "And the receipt, please?"


def test_a_claim_past_its_dates_says_it_is_late_instead_of_promising_the_past(signed_in, claim_of):
    """RP4: the page never promises a day that has gone by."""
    claim = claim_of(Status.RECEIVED)
    today = timezone.localdate()
    Claim.objects.filter(pk=claim.pk).update(target_on=today - timedelta(days=1), deadline_on=today)
    text = signed_in.get(detail_url(claim)).content.decode()
    assert "it is taking a little longer" in text
    assert "We aim to" not in text
    Claim.objects.filter(pk=claim.pk).update(deadline_on=today - timedelta(days=1))
    assert "We are late: we promised" in signed_in.get(detail_url(claim)).content.decode()
