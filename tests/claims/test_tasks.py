"""The Celery side: the configuration the issue asks for, and delivery through a real worker and Redis."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from asm_portal.celery import app
from claims import tasks
from claims.models import Claim, Notification
from tests.background.celery_app import live_redis_url, running_worker, use_broker, wait_until
from tests.factories import make_claim


def test_tasks_are_acknowledged_late_requeued_if_the_worker_dies_and_reserved_one_at_a_time():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_no_live_send_can_outlast_its_lease():
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit < settings.ASM_OUTBOX_LEASE_SECONDS


def test_redis_redelivers_only_after_every_task_could_have_ended():
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


def test_publishing_is_bounded_so_a_request_never_hangs_on_a_dead_broker():
    policy = app.conf.task_publish_retry_policy
    connect = app.conf.broker_transport_options["socket_connect_timeout"]
    worst_case = (policy["max_retries"] + 1) * connect + policy["max_retries"] * policy["interval_max"]
    assert worst_case < 2.0


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("claims.tasks.deliver_notification", "emails"),
        ("claims.tasks.relay_outbox", "emails"),
        ("claims.tasks.sweep_deadlines", "sweeps"),
    ],
)
def test_each_task_has_its_queue(task, queue):
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_beat_relays_every_minute_and_sweeps_every_interval():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["claims.tasks.relay_outbox"] == 60.0
    assert schedule["claims.tasks.sweep_deadlines"] == settings.ASM_SWEEP_INTERVAL_MINUTES * 60.0 == 900.0


@pytest.mark.django_db
def test_the_delivery_task_sends_the_row_and_a_second_run_sends_nothing():
    with use_broker("memory://"):
        make_claim()
    notification = Notification.objects.get()
    tasks.deliver_notification(notification.pk)
    tasks.deliver_notification(notification.pk)
    assert len(mail.outbox) == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_an_email_queued_when_the_claim_commits():
    with running_worker(live_redis_url()):
        claim = make_claim()
        assert wait_until(lambda: Notification.objects.filter(claim=claim, state="sent").exists())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [claim.order_line.order.customer.email]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_sweep_on_the_worker_alerts_staff_and_the_alert_is_delivered():
    """RP4: a claim whose target date came; the sweep task records the alert, and its email goes out."""
    with use_broker("memory://"):
        claim = make_claim("received")
    Claim.objects.filter(pk=claim.pk).update(target_on=timezone.localdate() - timedelta(days=1))
    with running_worker(live_redis_url()):
        tasks.sweep_deadlines.delay()
        assert wait_until(
            lambda: Notification.objects.filter(
                claim=claim, template_key="target_passed", state="sent"
            ).exists()
        )
    assert [message.to for message in mail.outbox] == [[settings.ASM_CARE_STAFF_EMAIL]]
