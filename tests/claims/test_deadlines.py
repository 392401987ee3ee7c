"""The deadline sweep (RP4, WP4) and the reminders, on a frozen clock across weekends, Vietnam's
public holidays and company closure days."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from claims.deadlines import (
    claims_awaiting_answer,
    claims_awaiting_shipment,
    claims_due_soon,
    claims_needing_deadline_alert,
    claims_needing_target_alert,
    claims_overdue,
    sweep_deadlines,
)
from claims.lifecycle import ClaimKind, Status
from claims.models import Claim, ClaimEvent, Notification
from claims.services import answer_info_request, mark_shipped, request_info
from policies.models import ClosureDay
from tests.background.celery_app import use_broker
from tests.factories import make_claim, new_line, new_staff
from tests.photos import make_photo

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL)


@pytest.fixture(autouse=True)
def _in_process_broker():
    with use_broker("memory://"):
        yield


def received_on(day: date, *, kind: str = ClaimKind.RETURN) -> Claim:
    """A claim whose parcel was marked received on ``day`` (day 0 of the RP4 / WP4 clock)."""
    with time_machine.travel(at(day, 10), tick=False):
        if kind == ClaimKind.WARRANTY:
            line = new_line()
            return make_claim("received", kind=kind, line=line, photos=[make_photo(line.order.customer)])
        return make_claim("received")


def emails(key: str, claim: Claim | None = None) -> list[Notification]:
    rows = Notification.objects.filter(template_key=key)
    return list(rows.filter(claim=claim) if claim else rows)


# --- RP4 / WP4: the target and the deadline -------------------------------------


def test_rp4_target_alert_waits_for_the_target_day_across_a_weekend():
    """Received Friday 6 Mar 2026: target Wednesday 11 Mar, deadline Friday 13 Mar (PRODUCT.md)."""
    claim = received_on(date(2026, 3, 6))
    assert (claim.target_on, claim.deadline_on) == (date(2026, 3, 11), date(2026, 3, 13))

    sweep_deadlines(now=at(date(2026, 3, 10), 23))
    assert emails("target_passed") == []
    claim.refresh_from_db()
    assert claim.target_alert_sent_at is None

    report = sweep_deadlines(now=at(date(2026, 3, 11), 8))
    assert report.target_alerts == 1
    [alert] = emails("target_passed", claim)
    assert alert.recipient == "care-duty@asm.example"
    claim.refresh_from_db()
    assert claim.target_alert_sent_at == at(date(2026, 3, 11), 8)
    assert claim in claims_due_soon(today=date(2026, 3, 11))
    assert claim not in claims_overdue(today=date(2026, 3, 11))


def test_rp4_deadline_day_itself_is_not_overdue_the_next_day_is():
    """Overdue when today > deadline: managers are told and the customer gets a delay notice."""
    claim = received_on(date(2026, 3, 6))

    sweep_deadlines(now=at(date(2026, 3, 13), 23))
    assert emails("deadline_missed") == []
    assert emails("delay_notice") == []

    report = sweep_deadlines(now=at(date(2026, 3, 14), 0))
    assert report.deadline_alerts == 1
    [managers] = emails("deadline_missed", claim)
    [notice] = emails("delay_notice", claim)
    assert managers.recipient == "care-managers@asm.example"
    assert notice.recipient == claim.order_line.order.customer.email
    assert claim in claims_overdue(today=date(2026, 3, 14))


def test_rp4_clock_skips_tet():
    """VN public holidays: received Fri 13 Feb 2026, Tết closes 16–20 Feb; target Wed 25, deadline Fri 27."""
    claim = received_on(date(2026, 2, 13))
    assert (claim.target_on, claim.deadline_on) == (date(2026, 2, 25), date(2026, 2, 27))
    # Counting weekdays only would put the target on Wednesday 18 February.
    assert sweep_deadlines(now=at(date(2026, 2, 18), 12)).target_alerts == 0
    assert sweep_deadlines(now=at(date(2026, 2, 24), 23)).target_alerts == 0
    assert sweep_deadlines(now=at(date(2026, 2, 25), 0)).target_alerts == 1


def test_wp4_clock_skips_reunification_and_labour_day():
    """WP4: received Wed 29 Apr 2026; 30 Apr, 1 May are holidays; target 7th, deadline 10th business day."""
    claim = received_on(date(2026, 4, 29), kind=ClaimKind.WARRANTY)
    assert (claim.target_on, claim.deadline_on) == (date(2026, 5, 12), date(2026, 5, 15))
    assert sweep_deadlines(now=at(date(2026, 5, 11), 23)).target_alerts == 0
    assert sweep_deadlines(now=at(date(2026, 5, 12), 9)).target_alerts == 1
    assert sweep_deadlines(now=at(date(2026, 5, 15), 23)).deadline_alerts == 0
    assert sweep_deadlines(now=at(date(2026, 5, 16), 9)).deadline_alerts == 1


def test_closure_days_move_the_promised_dates_set_at_receipt():
    """Closures on Tue 10 and Wed 11 Mar: received Mon 9 Mar, target Mon 16, deadline Wed 18."""
    ClosureDay.objects.create(date=date(2026, 3, 10), description="Stocktaking")
    ClosureDay.objects.create(date=date(2026, 3, 11), description="Stocktaking")
    claim = received_on(date(2026, 3, 9))
    assert (claim.target_on, claim.deadline_on) == (date(2026, 3, 16), date(2026, 3, 18))
    assert sweep_deadlines(now=at(date(2026, 3, 13), 18)).target_alerts == 0
    assert sweep_deadlines(now=at(date(2026, 3, 16), 9)).target_alerts == 1


def test_a_closure_entered_after_receipt_does_not_move_the_alerts():
    claim = received_on(date(2026, 3, 6))
    ClosureDay.objects.create(date=date(2026, 3, 10), description="Added later")
    assert sweep_deadlines(now=at(date(2026, 3, 11), 9)).target_alerts == 1
    claim.refresh_from_db()
    assert claim.target_on == date(2026, 3, 11)


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.REJECTED, Status.CANCELLED, Status.EXPIRED])
def test_a_closed_claim_is_left_alone(status):
    with time_machine.travel(at(date(2026, 3, 6), 10), tick=False):
        make_claim(status)
    before = Notification.objects.count()
    report = sweep_deadlines(now=at(date(2026, 4, 30)))
    assert str(report) == str(type(report)())  # every count zero
    assert Notification.objects.count() == before


def test_an_inspected_claim_is_still_on_the_clock():
    """RP4: inspection does not stop the clock; only the outcome does."""
    with time_machine.travel(at(date(2026, 3, 6), 10), tick=False):
        claim = make_claim("inspected")
    assert sweep_deadlines(now=at(date(2026, 3, 14))).deadline_alerts == 1
    assert len(emails("delay_notice", claim)) == 1


def test_a_late_sweep_sends_both_alerts_once_each():
    claim = received_on(date(2026, 3, 6))
    report = sweep_deadlines(now=at(date(2026, 3, 20)))
    assert (report.target_alerts, report.deadline_alerts) == (1, 1)
    assert ClaimEvent.objects.filter(claim=claim, kind__in=["target_passed", "deadline_missed"]).count() == 2


# --- Waiting for the parcel -----------------------------------------------------


def approved_on(day: date) -> Claim:
    with time_machine.travel(at(day, 10), tick=False):
        return make_claim("approved")


def test_an_unshipped_claim_is_reminded_after_seven_days_once():
    claim = approved_on(date(2026, 3, 2))
    assert sweep_deadlines(now=at(date(2026, 3, 9), 9)).ship_reminders == 0  # 10:00 + 7 days not yet
    assert sweep_deadlines(now=at(date(2026, 3, 9), 11)).ship_reminders == 1
    assert sweep_deadlines(now=at(date(2026, 3, 10), 11)).ship_reminders == 0
    [reminder] = emails("ship_reminder", claim)
    assert reminder.context == {"expires_on": "2026-03-16"}
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED


def test_an_unshipped_claim_expires_after_fourteen_days():
    claim = approved_on(date(2026, 3, 2))
    report = sweep_deadlines(now=at(date(2026, 3, 16), 11))
    assert (report.ship_reminders, report.ship_expiries) == (0, 1)  # no reminder when it is already too late
    claim.refresh_from_db()
    assert claim.status == Status.EXPIRED
    [expired] = emails("expired", claim)
    assert "not shipped within 14 days" in expired.context["why"]
    assert emails("ship_reminder") == []


def test_a_shipped_claim_is_neither_reminded_nor_expired():
    claim = approved_on(date(2026, 3, 2))
    with time_machine.travel(at(date(2026, 3, 4)), tick=False):
        mark_shipped(claim=claim, actor=claim.order_line.order.customer, shipped_on=date(2026, 3, 4))
    report = sweep_deadlines(now=at(date(2026, 3, 30)))
    assert (report.ship_reminders, report.ship_expiries) == (0, 0)
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED
    assert emails("ship_reminder") == []


def test_periods_come_from_the_claims_own_terms_snapshot():
    """Policy snapshot: a claim filed under 2 / 4 days keeps them though today's terms say 7 / 14."""
    claim = approved_on(date(2026, 3, 2))
    Claim.objects.filter(pk=claim.pk).update(
        policy_terms={**claim.policy_terms, "ship_reminder_days": 2, "ship_expiry_days": 4}
    )
    assert sweep_deadlines(now=at(date(2026, 3, 4), 11)).ship_reminders == 1
    assert sweep_deadlines(now=at(date(2026, 3, 6), 11)).ship_expiries == 1


# --- Waiting for an answer ------------------------------------------------------


def asked_on(day: date) -> Claim:
    with time_machine.travel(at(day, 10), tick=False):
        return make_claim("info_requested")


def test_an_unanswered_question_is_reminded_after_five_days_then_expires_after_fourteen():
    claim = asked_on(date(2026, 3, 2))
    assert sweep_deadlines(now=at(date(2026, 3, 7), 9)).info_reminders == 0
    assert sweep_deadlines(now=at(date(2026, 3, 7), 11)).info_reminders == 1
    assert sweep_deadlines(now=at(date(2026, 3, 8), 11)).info_reminders == 0
    [reminder] = emails("info_reminder", claim)
    assert reminder.context == {"question": "Could you send a photo of the box?", "expires_on": "2026-03-16"}

    assert sweep_deadlines(now=at(date(2026, 3, 16), 11)).info_expiries == 1
    claim.refresh_from_db()
    assert claim.status == Status.EXPIRED


def test_an_answered_question_is_neither_reminded_nor_expired():
    claim = asked_on(date(2026, 3, 2))
    with time_machine.travel(at(date(2026, 3, 3)), tick=False):
        answer_info_request(claim=claim, actor=claim.order_line.order.customer, answer="Photo attached.")
    report = sweep_deadlines(now=at(date(2026, 3, 30)))
    assert (report.info_reminders, report.info_expiries) == (0, 0)
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


def test_a_second_question_gets_its_own_reminder():
    claim = asked_on(date(2026, 3, 2))
    sweep_deadlines(now=at(date(2026, 3, 7), 11))
    staff = new_staff()
    with time_machine.travel(at(date(2026, 3, 8)), tick=False):
        answer_info_request(claim=claim, actor=claim.order_line.order.customer, answer="Here.")
        request_info(claim=claim, actor=staff, question="And the receipt?")
    assert sweep_deadlines(now=at(date(2026, 3, 12), 11)).info_reminders == 0
    assert sweep_deadlines(now=at(date(2026, 3, 13), 11)).info_reminders == 1
    questions = [row.context["question"] for row in emails("info_reminder", claim)]
    assert sorted(questions) == ["And the receipt?", "Could you send a photo of the box?"]


# --- Once per claim and event ---------------------------------------------------


def test_sweeping_twice_sends_nothing_twice():
    received_on(date(2026, 3, 6))
    approved_on(date(2026, 3, 2))
    asked_on(date(2026, 3, 2))
    now = at(date(2026, 3, 14), 12)
    first = sweep_deadlines(now=now)
    assert (first.target_alerts, first.deadline_alerts, first.ship_reminders, first.info_reminders) == (
        1,
        1,
        1,
        1,
    )
    count = Notification.objects.count()
    events = ClaimEvent.objects.count()
    second = sweep_deadlines(now=now + timedelta(minutes=15))
    assert str(second) == str(type(second)())  # every count zero
    assert Notification.objects.count() == count
    assert ClaimEvent.objects.count() == events


# --- The command ----------------------------------------------------------------


def test_the_command_sweeps_as_of_the_given_moment():
    received_on(date(2026, 3, 6))
    out = StringIO()
    call_command("sweep_deadlines", "--now", "2026-03-11T08:00", stdout=out)
    assert "target alerts: 1" in out.getvalue()
    assert len(emails("target_passed")) == 1


def test_the_command_refuses_a_moment_it_cannot_read():
    with pytest.raises(CommandError, match="not an ISO date-time"):
        call_command("sweep_deadlines", "--now", "next tuesday")
    assert Notification.objects.count() == 0


# --- Indexed reads --------------------------------------------------------------


def test_due_claim_queries_use_their_partial_indexes(postgres):
    """The sweep's cost follows the due claims, not the table: each query reads through an index."""
    received_on(date(2026, 3, 6))
    now = at(date(2026, 3, 14))
    queries = {
        "claim_clock_target": claims_needing_target_alert(today=now.date()),
        "claim_clock_deadline": claims_needing_deadline_alert(today=now.date()),
        "claim_awaiting_shipment": claims_awaiting_shipment(approved_before=now),
        "claim_awaiting_answer": claims_awaiting_answer(asked_before=now),
        # The warehouse page's parcels, beside the sweep's reads.
        "claim_awaiting_inspection": Claim.objects.filter(status=Status.RECEIVED).order_by(
            "deadline_on", "pk"
        )[:50],
    }
    with connection.cursor() as cursor:
        # On a table this small the planner rightly prefers a sequential scan; forbidding it shows
        # which index the query can use, as it would on the real table.
        cursor.execute("SET LOCAL enable_seqscan = off")
    for index, queryset in queries.items():
        plan = queryset.explain()
        assert index in plan, f"{index} not used:\n{plan}"
