"""A missed deadline, whole (RP4): a return is received, nobody finishes it, the clock passes the
deadline, the sweep runs; the worker delivers the managers' alert and the customer's delay notice, and
the back office shows the claim overdue."""

from datetime import datetime, time, timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from claims.lifecycle import Status
from claims.models import Claim, ClaimEvent
from tests.admin.conftest import staff
from tests.journeys.conftest import CARE_EMAIL, PHONE, WAREHOUSE_EMAIL, expected_promise, long_date

pytestmark = [pytest.mark.browser, pytest.mark.services]

EMAIL = "chi.le@example.com"
MANAGER_EMAIL = "manager-journeys@asm.example"


def test_a_missed_rp4_deadline_alerts_the_managers_and_sends_the_customer_a_delay_notice(journey, bought):
    """RP4: received today, the deadline is the 5th business day; the sweep run the morning after it
    alerts care (target), the managers (deadline) and the customer (delay notice), once."""
    bought(
        "Floating market diorama", email=EMAIL, number="ASM400701", purchased_days_ago=5, delivered_days_ago=2
    )
    phone = journey.customer_signs_in(order_number="ASM400701", email=EMAIL)
    phone.locator(".order-line", has_text="Floating market diorama").get_by_role(
        "link", name="Return this item"
    ).click()
    phone.get_by_label("Changed my mind").check()
    phone.get_by_label("The item is intact, unused and in its original packaging (R2).").check()
    phone.get_by_label("It was not damaged by use or by accident (R3).").check()
    phone.get_by_label("All accessories, documents and gifts are included (R4).").check()
    phone.get_by_label("Description").fill("Too large for my shelf.")
    phone.get_by_role("button", name="File the return", exact=True).last.click()
    expect(phone.locator(".claim-status")).to_have_text(str(Status.SUBMITTED.label))
    claim = Claim.objects.get(order_line__order__customer__email=EMAIL)
    rma = str(claim.rma_number)

    care = journey.staff_logs_in(CARE_EMAIL)
    journey.care_approves(care, claim_pk=claim.pk, payer="customer")
    journey.customer_marks_shipped(phone, rma=rma, carrier="VNPost", tracking="VN000777")
    desk = journey.staff_logs_in(WAREHOUSE_EMAIL, viewport=PHONE)
    journey.warehouse_receives(desk, rma=rma)
    journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] We received your parcel")
    promised = expected_promise(timezone.localdate(), target_days=3, deadline_days=5)
    journey.customer_sees_status(phone, rma=rma, status=Status.RECEIVED, step="customer-sees-promised-dates")

    # Nobody inspects it. The clock moves to 09:00 the morning after the deadline, and the sweep runs.
    morning_after = timezone.make_aware(datetime.combine(promised.deadline_on + timedelta(days=1), time(9)))
    swept = StringIO()
    call_command("sweep_deadlines", "--now", morning_after.isoformat(), stdout=swept)
    assert "target alerts: 1, deadline alerts: 1" in swept.getvalue()

    managers = journey.mailbox.wait_for(
        to=settings.ASM_CARE_MANAGERS_EMAIL, subject=f"[{rma}] Overdue: deadline"
    )
    assert f"missed its deadline, {long_date(promised.deadline_on)} (RP4)" in managers.body
    assert "The customer has been sent a delay notice." in managers.body
    assert f"{journey.base_url}{reverse('admin:claims_claim_change', args=[claim.pk])}" in managers.body
    delay = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] We are late with your claim")
    assert f"We promised to finish your claim by {long_date(promised.deadline_on)}, and we have not." in (
        delay.body
    )
    assert f"{journey.base_url}/claims/{rma}/" in delay.body
    care_on_duty = journey.mailbox.wait_for(
        to=settings.ASM_CARE_STAFF_EMAIL, subject=f"[{rma}] Due soon: target date"
    )
    assert rma in care_on_duty.body

    # A second sweep, the same morning, sends nothing more.
    call_command("sweep_deadlines", "--now", morning_after.isoformat(), stdout=StringIO())
    assert ClaimEvent.objects.filter(claim=claim, kind="deadline_missed").count() == 1

    # The managers' back office, that morning: the claim is overdue on the dashboard and in the list.
    staff("Care managers", email=MANAGER_EMAIL)
    with time_machine.travel(morning_after, tick=True):
        manager = journey.staff_logs_in(MANAGER_EMAIL)
        manager.goto(reverse("admin:claims_claim_dashboard"))
        expect(manager.locator(".asm-overdue-card .asm-figure")).to_have_text("1")
        journey.shot(manager, "manager-dashboard-overdue")
        manager.goto(f"{reverse('admin:claims_claim_changelist')}?deadline=overdue")
        row = manager.locator("#result_list tbody tr", has_text=rma)
        expect(row.locator(".asm-date.asm-overdue")).to_contain_text(
            f"deadline {promised.deadline_on.isoformat()}"
        )
        journey.shot(manager, "manager-list-overdue")
    emails = journey.mailbox.delivered()
    assert [email.subject for email in emails].count(f"[{rma}] We are late with your claim") == 1
