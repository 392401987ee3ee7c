"""The email outbox: services record one ``Notification`` row per email; delivery works from the rows.

A row is delivered by the task queued when its transaction commits, or else by
the relay that runs every minute: so an email recorded while the broker was
down, refused by the mail server, or lost with a dying worker still goes out.

Before sending, a worker takes a short lease on the row with a conditional
UPDATE, so two workers never send the same row, and no database lock is held
while the mail server is talking. The row is marked sent by the statement
right after the server accepts: the one window for a duplicate is a worker
dying between those two steps (the lease then expires and the row goes again).
"""

import contextlib
import logging
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from asm_portal.celery import app as celery_app
from claims.emails import render_email
from claims.models import Claim, Notification

logger = logging.getLogger(__name__)

DELIVER_TASK = "claims.tasks.deliver_notification"
# The relay stops taking rows after this long, well inside the task's soft time limit.
RELAY_BUDGET_SECONDS = 120.0
RELAY_BATCH_SIZE = 200
LAST_ERROR_LENGTH = 2000


def record_notification(
    *,
    template_key: str,
    recipient: str,
    unique_key: str,
    claim: Claim | None = None,
    context: dict[str, Any] | None = None,
) -> Notification:
    """Record an email to send; a second call with the same ``unique_key`` records nothing new.

    Delivery is queued when the caller's transaction commits; a broker failure
    is logged, never raised, and the relay delivers the row later.
    """
    notification, created = Notification.objects.get_or_create(
        unique_key=unique_key,
        defaults={
            "template_key": template_key,
            "recipient": recipient,
            "claim": claim,
            "context": context or {},
        },
    )
    if created:
        transaction.on_commit(partial(enqueue_delivery, notification_id=notification.pk), robust=True)
    return notification


def enqueue_delivery(*, notification_id: int) -> bool:
    """Publish the delivery task; False when the broker is unreachable (the relay will deliver)."""
    try:
        # Bounded by CELERY_TASK_PUBLISH_RETRY_POLICY and the broker's connect timeout.
        celery_app.send_task(DELIVER_TASK, args=[notification_id])
    except Exception:
        logger.warning(
            "Could not queue email %s; the outbox relay will send it.", notification_id, exc_info=True
        )
        return False
    return True


def due_notifications(*, now: datetime) -> QuerySet[Notification]:
    """Rows waiting whose time has come and that no live worker holds (index ``notification_due``)."""
    return Notification.objects.filter(state=Notification.State.PENDING, next_attempt_at__lte=now).filter(
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: between half and all of base × 2^(attempts-1) seconds."""
    ceiling = settings.ASM_OUTBOX_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    # Jitter spreads the retries, so a mail server coming back is not hit by all of them at once.
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311


@dataclass(frozen=True)
class Lease:
    notification_id: int
    expires_at: datetime


def take_lease(*, notification_id: int, now: datetime) -> Lease | None:
    """Own a due row for ASM_OUTBOX_LEASE_SECONDS, or None when it is sent, not due, held, or gone."""
    expires_at = now + timedelta(seconds=settings.ASM_OUTBOX_LEASE_SECONDS)
    # One conditional UPDATE: of two workers racing for the row, exactly one matches. The
    # attempt is counted here, so a row that keeps killing its workers still reaches the limit.
    taken = (
        due_notifications(now=now)
        .filter(pk=notification_id)
        .update(lease_expires_at=expires_at, attempts=F("attempts") + 1)
    )
    return Lease(notification_id, expires_at) if taken else None


def _message_id(notification: Notification) -> str:
    # The same Message-ID on a resend lets mail systems that deduplicate drop the copy.
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<notification-{notification.pk}@{domain}>"


def build_message(notification: Notification, *, connection: BaseEmailBackend) -> EmailMultiAlternatives:
    rendered = render_email(notification)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        to=[notification.recipient],
        connection=connection,
        headers={"Message-ID": _message_id(notification)},
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


def _record_failure(*, lease: Lease, attempts: int, error: Exception, now: datetime) -> None:
    changes: dict[str, Any] = {
        "lease_expires_at": None,
        "last_error": f"{type(error).__name__}: {error}"[:LAST_ERROR_LENGTH],
    }
    if attempts >= settings.ASM_OUTBOX_MAX_ATTEMPTS:
        changes["state"] = Notification.State.FAILED
    else:
        changes["next_attempt_at"] = now + retry_delay(attempts)
    # Only while the lease is still ours: a worker that outlived it must not undo another's work.
    Notification.objects.filter(
        pk=lease.notification_id, state=Notification.State.PENDING, lease_expires_at=lease.expires_at
    ).update(**changes)


def deliver_notification(
    *,
    notification_id: int,
    now: datetime | None = None,
    connection: BaseEmailBackend | None = None,
) -> bool:
    """Send one row if it is due and free; True when this call sent it. Safe to call any number of times."""
    now = now or timezone.now()
    lease = take_lease(notification_id=notification_id, now=now)
    if lease is None:
        return False
    notification = Notification.objects.select_related(
        "claim__order_line__order__customer", "claim__order_line__product"
    ).get(pk=notification_id)
    backend = connection or get_connection()
    try:
        # Opening is a no-op on a connection the relay already opened for an earlier row.
        backend.open()
        build_message(notification, connection=backend).send()
    except Exception as error:
        _close_quietly(backend)
        logger.warning("Email %s failed (attempt %d): %s", notification_id, notification.attempts, error)
        _record_failure(lease=lease, attempts=notification.attempts, error=error, now=now)
        return False
    # Nothing may come between the server's acceptance and this statement: it is the duplicate window.
    Notification.objects.filter(pk=notification_id, state=Notification.State.PENDING).update(
        state=Notification.State.SENT, sent_at=timezone.now(), lease_expires_at=None, last_error=""
    )
    if connection is None:
        _close_quietly(backend)
    return True


def relay_outbox(*, now: datetime | None = None, budget_seconds: float = RELAY_BUDGET_SECONDS) -> int:
    """Deliver every due row, over one reused SMTP connection; returns how many this call sent.

    Rows are walked in id order from a cursor, so each is tried at most once
    per call and the call ends even when every row fails.
    """
    started = time.monotonic()
    sent = 0
    after_pk = 0
    connection = get_connection()
    try:
        while time.monotonic() - started < budget_seconds:
            batch = list(
                due_notifications(now=now or timezone.now())
                .filter(pk__gt=after_pk)
                .order_by("pk")
                .values_list("pk", flat=True)[:RELAY_BATCH_SIZE]
            )
            if not batch:
                break
            for notification_id in batch:
                after_pk = notification_id
                if deliver_notification(notification_id=notification_id, now=now, connection=connection):
                    sent += 1
                if time.monotonic() - started >= budget_seconds:
                    break
    finally:
        _close_quietly(connection)
    return sent


def _close_quietly(connection: BaseEmailBackend) -> None:
    # After a refusal the SMTP session may be unusable; the next send opens a fresh one.
    with contextlib.suppress(Exception):
        connection.close()


def retry_notifications(*, notification_ids: Iterable[int]) -> int:
    """Managers' retry of failed rows: pending again, attempts from zero, queued now. Returns the count."""
    with transaction.atomic():
        failed = list(
            Notification.objects.select_for_update()
            .filter(pk__in=list(notification_ids), state=Notification.State.FAILED)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=failed).update(
            state=Notification.State.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            lease_expires_at=None,
        )
        for notification_id in failed:
            transaction.on_commit(partial(enqueue_delivery, notification_id=notification_id), robust=True)
    return len(failed)
