"""The outbox: recording, queueing after commit, leases, backoff, the relay and the managers' retry."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from claims.models import Notification
from claims.outbox import (
    DELIVER_TASK,
    deliver_notification,
    enqueue_delivery,
    record_notification,
    relay_outbox,
    retry_delay,
    retry_notifications,
)
from tests.background.celery_app import use_broker
from tests.factories import make_claim, new_customer, new_order

pytestmark = pytest.mark.django_db

REFUSED = SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture(autouse=True)
def _in_process_broker():
    # Tasks queued here stay in this process: no test may publish to a shared Redis by accident.
    with use_broker("memory://"):
        yield


@pytest.fixture(autouse=True)
def _someone_with_an_order(db):
    # The rows below are sign-in requests: the worker sends a link only to a customer with the order.
    new_order(customer=new_customer(email="someone@example.com"), number="ASM100001")


def pending(**fields) -> Notification:
    fields.setdefault("unique_key", "key-1")
    return Notification.objects.create(
        template_key="sign_in_link",
        recipient="someone@example.com",
        context={"order_number": "ASM100001"},
        **fields,
    )


def failing_send():
    return mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=REFUSED)


# --- Recording and queueing -----------------------------------------------------


def test_recording_queues_one_delivery_task_after_commit(django_capture_on_commit_callbacks):
    with mock.patch("claims.outbox.celery_app.send_task") as send_task:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            notification = record_notification(
                template_key="sign_in_link", recipient="a@example.com", unique_key="sign-in:1"
            )
        send_task.assert_not_called()  # nothing is published before the row is committed
        for callback in callbacks:
            callback()
    send_task.assert_called_once_with(DELIVER_TASK, args=[notification.pk], connection=mock.ANY)


def test_recording_the_same_key_again_records_and_queues_nothing(django_capture_on_commit_callbacks):
    record_notification(template_key="sign_in_link", recipient="a@example.com", unique_key="sign-in:1")
    with django_capture_on_commit_callbacks() as callbacks:
        again = record_notification(
            template_key="sign_in_link", recipient="b@example.com", unique_key="sign-in:1"
        )
    assert callbacks == []
    assert Notification.objects.count() == 1
    assert again.recipient == "a@example.com"


def test_a_dead_broker_is_logged_not_raised_into_the_caller(django_capture_on_commit_callbacks, caplog):
    broken = mock.patch("claims.outbox.celery_app.send_task", side_effect=OperationalError("refused"))
    with broken, django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notification = record_notification(
            template_key="sign_in_link", recipient="a@example.com", unique_key="sign-in:1"
        )
    assert "the outbox relay will send it" in caplog.text
    notification.refresh_from_db()
    assert notification.state == Notification.State.PENDING


def test_enqueue_reports_a_publish_failure():
    with mock.patch("claims.outbox.celery_app.send_task", side_effect=OperationalError("refused")):
        assert enqueue_delivery(notification_id=1) is False
    with mock.patch("claims.outbox.celery_app.send_task"):
        assert enqueue_delivery(notification_id=1) is True


def test_services_record_the_customers_email_in_their_transaction():
    claim = make_claim()
    notification = Notification.objects.get(claim=claim)
    assert notification.template_key == "submitted"
    assert notification.recipient == claim.order_line.order.customer.email
    assert notification.state == Notification.State.PENDING


# --- Delivering one row ---------------------------------------------------------


def test_delivery_sends_once_and_records_it():
    notification = pending()
    assert deliver_notification(notification_id=notification.pk) is True
    assert deliver_notification(notification_id=notification.pk) is False  # a second task sends nothing
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert notification.sent_at is not None
    assert notification.attempts == 1
    assert notification.lease_expires_at is None
    assert mail.outbox[0].to == ["someone@example.com"]
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<notification-{notification.pk}@asm.example>"


def test_a_row_leased_by_another_worker_is_not_sent():
    notification = pending(lease_expires_at=timezone.now() + timedelta(minutes=4), attempts=1)
    assert deliver_notification(notification_id=notification.pk) is False
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.attempts == 1
    assert notification.state == Notification.State.PENDING


def test_a_row_not_yet_due_is_not_sent():
    notification = pending(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert deliver_notification(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_a_row_that_is_gone_ends_quietly():
    assert deliver_notification(notification_id=987654) is False


def test_a_refusal_schedules_a_retry_with_backoff(settings):
    settings.ASM_OUTBOX_BACKOFF_BASE_SECONDS = 60
    notification = pending()
    now = timezone.now()
    with failing_send():
        assert deliver_notification(notification_id=notification.pk, now=now) is False
    notification.refresh_from_db()
    assert notification.state == Notification.State.PENDING
    assert notification.attempts == 1
    assert notification.lease_expires_at is None
    assert "SMTPServerDisconnected" in notification.last_error
    assert now + timedelta(seconds=30) <= notification.next_attempt_at <= now + timedelta(seconds=60)
    assert mail.outbox == []


@pytest.mark.parametrize(("attempts", "low", "high"), [(1, 5, 10), (2, 10, 20), (3, 20, 40), (6, 160, 320)])
def test_backoff_doubles_with_each_attempt_and_is_jittered(settings, attempts, low, high):
    settings.ASM_OUTBOX_BACKOFF_BASE_SECONDS = 10
    delays = {retry_delay(attempts) for _ in range(20)}
    assert all(timedelta(seconds=low) <= delay <= timedelta(seconds=high) for delay in delays)
    assert len(delays) > 1


def test_a_row_fails_for_good_after_the_attempt_limit(settings):
    settings.ASM_OUTBOX_MAX_ATTEMPTS = 3
    notification = pending()
    now = timezone.now()
    with failing_send():
        for hour in range(3):
            relay_outbox(now=now + timedelta(hours=hour))
    notification.refresh_from_db()
    assert notification.state == Notification.State.FAILED
    assert notification.attempts == 3
    # A failed row is left to the managers: the relay does not touch it again.
    relay_outbox(now=now + timedelta(days=1))
    notification.refresh_from_db()
    assert notification.attempts == 3
    assert mail.outbox == []


# --- The relay ------------------------------------------------------------------


def test_the_relay_sends_due_rows_only():
    now = timezone.now()
    due = pending(unique_key="due")
    later = pending(unique_key="later", next_attempt_at=now + timedelta(minutes=10))
    held = pending(unique_key="held", lease_expires_at=now + timedelta(minutes=3))
    lease_lapsed = pending(unique_key="lapsed", lease_expires_at=now - timedelta(seconds=1), attempts=1)
    sent = pending(unique_key="sent", state=Notification.State.SENT, sent_at=now)
    failed = pending(unique_key="failed", state=Notification.State.FAILED, attempts=8)

    assert relay_outbox(now=now + timedelta(seconds=1)) == 2

    states = dict(Notification.objects.values_list("pk", "state"))
    assert states[due.pk] == states[lease_lapsed.pk] == Notification.State.SENT
    assert states[later.pk] == states[held.pk] == Notification.State.PENDING
    assert states[sent.pk] == Notification.State.SENT
    assert states[failed.pk] == Notification.State.FAILED
    assert len(mail.outbox) == 2


def test_the_relay_ends_even_when_every_row_fails_at_once(settings):
    settings.ASM_OUTBOX_BACKOFF_BASE_SECONDS = 0  # each failed row is due again at once
    for number in range(3):
        pending(unique_key=f"row-{number}")
    with failing_send() as send:
        assert relay_outbox() == 0
    assert send.call_count == 3  # each row tried once per run


def test_the_relay_stops_taking_rows_when_its_time_is_up():
    for number in range(3):
        pending(unique_key=f"row-{number}")
    assert relay_outbox(budget_seconds=0) == 0
    assert Notification.objects.filter(state=Notification.State.PENDING).count() == 3


# --- The managers' retry --------------------------------------------------------


def test_retry_makes_failed_rows_pending_and_queues_them(django_capture_on_commit_callbacks):
    failed = pending(unique_key="failed", state=Notification.State.FAILED, attempts=8, last_error="refused")
    sent = pending(unique_key="sent", state=Notification.State.SENT, attempts=1)
    publish = mock.patch("claims.outbox.celery_app.send_task")
    with publish as send_task, django_capture_on_commit_callbacks(execute=True):
        retried = retry_notifications(notification_ids=[failed.pk, sent.pk])
    assert retried == 1
    send_task.assert_called_once_with(DELIVER_TASK, args=[failed.pk], connection=mock.ANY)
    failed.refresh_from_db()
    assert failed.state == Notification.State.PENDING
    assert failed.attempts == 0
    sent.refresh_from_db()
    assert sent.state == Notification.State.SENT  # a sent email is never sent again by a retry
    assert sent.attempts == 1
