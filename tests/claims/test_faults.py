"""The faults the background work must survive (issue 3), each a test: a dead broker, a refusing mail
server, a worker killed mid-send, and the sweep run twice or twice at once."""

import threading
import time
from dataclasses import astuple
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection, connections
from django.utils import timezone

from claims.deadlines import SweepReport, sweep_deadlines
from claims.models import ClaimEvent, Notification
from claims.outbox import deliver_notification, relay_outbox
from claims.tasks import relay_outbox as relay_outbox_task
from tests.background.celery_app import live_redis_url, running_worker, use_broker, wait_until
from tests.conftest import require_service
from tests.factories import make_claim

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
# Nothing listens on port 1: connections are refused at once, as with a Redis that is down.
DEAD_BROKER = "redis://127.0.0.1:1/0"


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs in the worker, not even an ``except Exception``."""


@pytest.fixture
def _in_process_broker():
    with use_broker("memory://"):
        yield


def submitted_email() -> Notification:
    return Notification.objects.get(template_key="submitted")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_claim_filed_while_the_broker_is_down_is_saved_fast_and_emailed_by_the_relay():
    redis_url = live_redis_url()
    with use_broker(DEAD_BROKER):
        started = time.monotonic()
        claim = make_claim()  # commits, and tries to queue the email on a dead broker
        elapsed = time.monotonic() - started
    assert elapsed < 2.0
    claim.refresh_from_db()
    notification = submitted_email()
    assert notification.claim == claim
    assert notification.state == Notification.State.PENDING
    assert mail.outbox == []

    with running_worker(redis_url):
        relay_outbox_task.delay()
        assert wait_until(lambda: Notification.objects.filter(state=Notification.State.SENT).exists())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [claim.order_line.order.customer.email]


@pytest.mark.django_db
@pytest.mark.usefixtures("_in_process_broker")
def test_a_mail_server_that_refuses_twice_then_accepts_gets_exactly_one_email(smtp_server):
    smtp_server.refusals = 2
    make_claim()
    notification = submitted_email()
    start = timezone.now()

    for hours in range(5):
        relay_outbox(now=start + timedelta(hours=hours))

    assert smtp_server.refused == 2
    assert len(smtp_server.accepted) == 1
    assert smtp_server.accepted[0]["To"] == notification.recipient
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert notification.attempts == 3


@pytest.mark.django_db
@pytest.mark.usefixtures("_in_process_broker")
def test_a_worker_killed_mid_send_leaves_the_email_to_go_out_once(smtp_server, settings):
    make_claim()
    notification = submitted_email()
    start = timezone.now()
    killed = mock.patch.object(EmailMultiAlternatives, "send", side_effect=WorkerKilled)
    with killed, pytest.raises(WorkerKilled):
        deliver_notification(notification_id=notification.pk, now=start)
    notification.refresh_from_db()
    assert notification.state == Notification.State.PENDING
    assert notification.lease_expires_at is not None

    # Redis redelivers the unacknowledged task (acks_late) and the relay runs: the lease stops both.
    assert deliver_notification(notification_id=notification.pk, now=start + timedelta(minutes=1)) is False
    assert relay_outbox(now=start + timedelta(minutes=1)) == 0
    assert smtp_server.accepted == []

    lapsed = start + timedelta(seconds=settings.ASM_OUTBOX_LEASE_SECONDS + 1)
    assert relay_outbox(now=lapsed) == 1
    assert relay_outbox(now=lapsed + timedelta(hours=1)) == 0
    assert len(smtp_server.accepted) == 1
    notification.refresh_from_db()
    assert notification.attempts == 2


def due_everything(day: date) -> None:
    """Claims with every sweep event due a fortnight after ``day``: alerts, reminders and expiries."""
    with time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=LOCAL), tick=False):
        for status in ["received", "received", "approved", "info_requested"]:
            make_claim(status)
    with time_machine.travel(datetime(day.year, day.month, day.day + 3, 10, tzinfo=LOCAL), tick=False):
        make_claim("approved")
        make_claim("info_requested")


def totals(reports: list[SweepReport]) -> tuple[int, ...]:
    """Each count of the reports added up: (target, deadline, ship reminder, ship expiry, info reminder,
    info expiry)."""
    return tuple(sum(counts) for counts in zip(*(astuple(report) for report in reports), strict=True))


# Two received claims: alert each; two approved, two asked: the older expire, the newer are reminded.
EXPECTED = (2, 2, 1, 1, 1, 1)


@pytest.mark.django_db
@pytest.mark.usefixtures("_in_process_broker")
def test_the_sweep_run_twice_sends_nothing_twice():
    due_everything(date(2026, 3, 2))
    now = datetime(2026, 3, 16, 11, tzinfo=LOCAL)
    reports = [sweep_deadlines(now=now), sweep_deadlines(now=now)]
    assert totals(reports[:1]) == EXPECTED
    assert totals(reports[1:]) == (0, 0, 0, 0, 0, 0)
    keys = list(Notification.objects.values_list("unique_key", flat=True))
    assert len(keys) == len(set(keys))


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_in_process_broker")
def test_two_sweeps_at_once_send_nothing_twice():
    """Row locks decide: of two sweeps racing for a claim, one acts and the other finds it done."""
    require_service(connection.vendor == "postgresql", "this test needs PostgreSQL (set DATABASE_URL)")
    due_everything(date(2026, 3, 2))
    notifications_before = Notification.objects.count()
    now = datetime(2026, 3, 16, 11, tzinfo=LOCAL)
    start_together = threading.Barrier(2)
    reports: list[SweepReport] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            start_together.wait(timeout=10)
            reports.append(sweep_deadlines(now=now))
        except BaseException as error:  # reported by the test thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert totals(reports) == EXPECTED
    # target + deadline (managers, customer) ×2, ship and info reminders, two expiry emails.
    assert Notification.objects.count() - notifications_before == 2 + 4 + 1 + 1 + 2
    sweep_events = ["target_passed", "deadline_missed", "ship_reminder", "info_reminder"]
    assert ClaimEvent.objects.filter(kind__in=sweep_events).count() == 2 + 2 + 1 + 1
    assert ClaimEvent.objects.filter(kind="expired").count() == 2
