"""Celery tasks: thin interfaces that call one function each (queues and schedule in settings).

None uses Celery's own retries: the outbox rows carry their retry state, and a
countdown longer than Redis's visibility timeout would run twice.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from claims import deadlines, outbox, photos


@shared_task(name="claims.tasks.deliver_notification")
def deliver_notification(notification_id: int) -> None:
    """Send one outbox row; does nothing when it is already sent, held by another worker, or gone."""
    outbox.deliver_notification(notification_id=notification_id)


@shared_task(name="claims.tasks.relay_outbox")
def relay_outbox() -> None:
    """Every minute: send whatever is due and not sent (queued while the broker was down, retries, leases
    of dead workers)."""
    outbox.relay_outbox()


@shared_task(name="claims.tasks.sweep_deadlines")
def sweep_deadlines() -> None:
    """Every ASM_SWEEP_INTERVAL_MINUTES: the RP4 / WP4 alerts, reminders and expiries."""
    deadlines.sweep_deadlines(now=timezone.now())


@shared_task(name="claims.tasks.delete_abandoned_photos")
def delete_abandoned_photos() -> None:
    """Hourly: remove photos uploaded to a form never submitted, once ASM_ABANDONED_PHOTO_HOURS old."""
    photos.delete_abandoned_photos(
        uploaded_before=timezone.now() - timedelta(hours=settings.ASM_ABANDONED_PHOTO_HOURS)
    )
