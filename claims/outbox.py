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
import functools
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone

from asm_portal.celery import app as celery_app
from claims.emails import NothingToSend, render_email
from claims.models import Claim, Notification
from claims.slip import email_slip

# A row of an outbox: an email or a webhook delivery.
Leased = TypeVar("Leased", bound=Model)

logger = logging.getLogger(__name__)

DELIVER_TASK = "claims.tasks.deliver_notification"
# The relay stops taking rows after this long, well inside the task's soft time limit.
RELAY_BUDGET_SECONDS = 120.0
# Rows leased together: one UPDATE for the batch, then one per email as it is accepted.
RELAY_BATCH_SIZE = 50
LAST_ERROR_LENGTH = 2000
# The operating system's generator: nothing here is secret, but it keeps the security linters quiet.
_random = secrets.SystemRandom()


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
    """Publish the delivery task; False when the broker is unreachable (the relay will deliver).

    It runs in web requests (on commit), so it publishes through connections
    with a short socket timeout (``_publishing_pool``): Celery's own pool,
    with the workers' longer timeout (CELERY_BROKER_TRANSPORT_OPTIONS), held a
    request about 8 s when Redis hung without closing its connections.
    """
    try:
        publish_task(DELIVER_TASK, args=[notification_id])
    except Exception:
        logger.warning(
            "Could not queue email %s; the outbox relay will send it.", notification_id, exc_info=True
        )
        return False
    return True


def publish_task(name: str, *, args: list[Any]) -> None:
    """Publish a task from a web request, through the short-timeout pool below; raises if the broker fails."""
    with _publishing_pool(celery_app.conf.broker_url).acquire(block=True, timeout=1) as connection:
        celery_app.send_task(name, args=args, connection=connection)


@functools.cache
def _publishing_pool(broker_url: str) -> Any:
    """This process's broker connections for publishing, one pool per broker URL (a test may change it)."""
    short = {"socket_timeout": settings.ASM_BROKER_PUBLISH_SOCKET_TIMEOUT}
    return celery_app.connection_for_write(broker_url, transport_options=short).Pool(
        limit=celery_app.conf.broker_pool_limit
    )


def due_notifications(*, now: datetime) -> QuerySet[Notification]:
    """Rows waiting whose time has come and that no live worker holds (index ``notification_due``)."""
    return Notification.objects.filter(state=Notification.State.PENDING, next_attempt_at__lte=now).filter(
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: between half and all of base × 2^(attempts-1) seconds."""
    ceiling = settings.ASM_OUTBOX_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    # Jitter spreads the retries, so a mail server coming back is not hit by all of them at once.
    return timedelta(seconds=ceiling / 2 + _random.uniform(0, ceiling / 2))


def take_leases(*, notification_ids: list[int], now: datetime) -> list[Notification]:
    """Own the due, free rows among ``notification_ids`` for ASM_OUTBOX_LEASE_SECONDS; returns them.

    One conditional UPDATE: of two workers racing for a row, exactly one matches
    it. The attempt is counted here, before sending, so a row that keeps killing
    its workers still reaches the limit. The rows come back with what their
    emails need, in one query.
    """
    # The random microseconds make each lease's expiry its own: it tells this worker's rows apart.
    expires_at = now + timedelta(
        seconds=settings.ASM_OUTBOX_LEASE_SECONDS,
        microseconds=_random.randrange(1_000_000),
    )
    due_notifications(now=now).filter(pk__in=notification_ids).update(
        lease_expires_at=expires_at, attempts=F("attempts") + 1
    )
    return list(
        Notification.objects.filter(pk__in=notification_ids, lease_expires_at=expires_at)
        .select_related("claim__order_line__order__customer", "claim__order_line__product")
        .order_by("pk")
    )


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
    slip = email_slip(notification)
    if slip is not None:
        message.attach(*slip)
    return message


def _record_failure(*, notification: Notification, error: Exception, now: datetime) -> None:
    changes: dict[str, Any] = {
        "lease_expires_at": None,
        "last_error": f"{type(error).__name__}: {error}"[:LAST_ERROR_LENGTH],
    }
    if notification.attempts >= settings.ASM_OUTBOX_MAX_ATTEMPTS:
        changes["state"] = Notification.State.FAILED
    else:
        changes["next_attempt_at"] = now + retry_delay(notification.attempts)
    # Only while the lease is still ours: a worker that outlived it must not undo another's work.
    Notification.objects.filter(
        pk=notification.pk,
        state=Notification.State.PENDING,
        lease_expires_at=notification.lease_expires_at,
    ).update(**changes)


def _record_skipped(*, notification: Notification, reason: NothingToSend) -> None:
    Notification.objects.filter(
        pk=notification.pk,
        state=Notification.State.PENDING,
        lease_expires_at=notification.lease_expires_at,
    ).update(
        state=Notification.State.SKIPPED, lease_expires_at=None, last_error=str(reason)[:LAST_ERROR_LENGTH]
    )


def _send_leased(notification: Notification, *, connection: BaseEmailBackend, now: datetime) -> bool:
    """Send a row this worker holds; record the outcome. True when the server accepted it."""
    try:
        # Rendered first: a row with no one to write to never opens the connection.
        message = build_message(notification, connection=connection)
        # Opening is a no-op on a connection already open for an earlier row.
        connection.open()
        message.send()
    except NothingToSend as reason:
        _record_skipped(notification=notification, reason=reason)
        return False
    except Exception as error:
        _close_quietly(connection)
        logger.warning("Email %s failed (attempt %d): %s", notification.pk, notification.attempts, error)
        _record_failure(notification=notification, error=error, now=now)
        return False
    # Nothing may come between the server's acceptance and this statement: it is the duplicate window.
    Notification.objects.filter(pk=notification.pk, state=Notification.State.PENDING).update(
        state=Notification.State.SENT, sent_at=timezone.now(), lease_expires_at=None, last_error=""
    )
    return True


def deliver_notification(*, notification_id: int, now: datetime | None = None) -> bool:
    """Send one row if it is due and free; True when this call sent it. Safe to call any number of times."""
    moment = now or timezone.now()
    leased = take_leases(notification_ids=[notification_id], now=moment)
    if not leased:
        return False
    connection = get_connection()
    try:
        return _send_leased(leased[0], connection=connection, now=moment)
    finally:
        _close_quietly(connection)


def relay_outbox(*, now: datetime | None = None, budget_seconds: float = RELAY_BUDGET_SECONDS) -> int:
    """Deliver every due row, in leased batches over one SMTP connection; returns how many it sent.

    Rows are walked in id order from a cursor, so each is tried at most once
    per call and the call ends even when every row fails. A batch is worked
    only while its lease has room for another send; rows left over go out
    when their lease lapses.
    """
    sent = 0
    connection = get_connection()
    try:
        for notification, moment in leased_batches(
            due=lambda moment: due_notifications(now=moment),
            lease=lambda ids, moment: take_leases(notification_ids=ids, now=moment),
            room_seconds=settings.ASM_OUTBOX_LEASE_SECONDS - 2 * settings.EMAIL_TIMEOUT,
            budget_seconds=budget_seconds,
            now=now,
        ):
            sent += _send_leased(notification, connection=connection, now=moment)
    finally:
        _close_quietly(connection)
    return sent


def leased_batches(
    *,
    due: Callable[[datetime], QuerySet[Leased]],
    lease: Callable[[list[int], datetime], list[Leased]],
    room_seconds: float,
    budget_seconds: float,
    now: datetime | None,
) -> Iterator[tuple[Leased, datetime]]:
    """The relay's walk, for the email outbox and the webhook deliveries alike: each due row once, in
    id order from a cursor, leased a batch at a time, with the moment it was leased at.

    A batch is worked only while its lease has room (``room_seconds``) for another send; rows left
    over go out when their lease lapses. The walk ends when nothing is due or the budget is spent.
    """
    started = time.monotonic()
    after_pk = 0
    while time.monotonic() - started < budget_seconds:
        moment = now or timezone.now()
        batch = list(
            due(moment).filter(pk__gt=after_pk).order_by("pk").values_list("pk", flat=True)[:RELAY_BATCH_SIZE]
        )
        if not batch:
            return
        after_pk = batch[-1]
        leased_at = time.monotonic()
        for row in lease(batch, moment):
            if time.monotonic() - leased_at > room_seconds:
                break
            yield row, moment


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
