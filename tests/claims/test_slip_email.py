"""The approval email carries the RMA slip, drawn from the claim when the email goes out (RP3, WP3)."""

import pytest
from django.core import mail

from claims.lifecycle import Status
from claims.models import Notification
from claims.outbox import deliver_notification, relay_outbox
from claims.services import cancel_claim
from tests.background.celery_app import use_broker
from tests.factories import make_claim
from tests.slips import WAREHOUSE, decoded_codes, page_image, pdf_text, set_destinations

# Nothing listens on port 1: connections are refused at once, as with a Redis that is down.
DEAD_BROKER = "redis://127.0.0.1:1/0"


def deliver(template_key: str, claim) -> None:
    notification = Notification.objects.get(claim=claim, template_key=template_key)
    assert deliver_notification(notification_id=notification.pk) is True


@pytest.mark.django_db
def test_the_approval_email_has_the_slip_attached():
    set_destinations()
    with use_broker("memory://"):
        claim = make_claim(Status.APPROVED)
    deliver("approved", claim)

    (email,) = mail.outbox
    ((filename, pdf, mimetype),) = email.attachments
    assert filename == f"{claim.rma_number}-slip-a4.pdf"
    assert mimetype == "application/pdf"
    _pages, text = pdf_text(pdf)
    assert str(claim.rma_number) in text
    assert WAREHOUSE.splitlines()[0] in text
    assert "attached" in email.body


@pytest.mark.django_db
@pytest.mark.parametrize("template_key", ["submitted", "received"])
def test_other_emails_carry_no_slip(template_key):
    with use_broker("memory://"):
        claim = make_claim(Status.RECEIVED)
    deliver(template_key, claim)

    assert mail.outbox[0].attachments == []


@pytest.mark.django_db
def test_an_approval_email_that_waited_past_a_cancellation_carries_no_slip():
    with use_broker("memory://"):
        claim = make_claim(Status.APPROVED)
        cancel_claim(claim=claim, actor=claim.order_line.order.customer)
    deliver("approved", claim)

    approval = next(email for email in mail.outbox if "Approved" in email.subject)
    assert approval.attachments == []


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_approval_recorded_while_the_broker_is_down_goes_out_later_with_its_slip(smtp_server):
    """Nothing of the slip is in the outbox row: the relay draws it when it sends, over real SMTP."""
    set_destinations()
    with use_broker(DEAD_BROKER):
        claim = make_claim(Status.APPROVED)
    approval = Notification.objects.get(claim=claim, template_key="approved")
    assert approval.state == Notification.State.PENDING
    assert "slip" not in str(approval.context)

    with use_broker("memory://"):
        assert relay_outbox() == 2  # the filing's email and the approval's

    (message,) = [sent for sent in smtp_server.accepted if "Approved" in str(sent["Subject"])]
    (attachment,) = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert attachment.get_filename() == f"{claim.rma_number}-slip-a4.pdf"
    pdf = attachment.get_payload(decode=True)
    assert decoded_codes(page_image(pdf, dpi=300)).get("QRCODE") == {claim.rma_number}
