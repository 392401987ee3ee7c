"""Signed webhooks out: one delivery row per event and endpoint, written with the claim's change.

Recording. ``record_claim_change`` is called by the claim services' one
status-change path, inside its transaction: the rows commit or roll back with
the change, and their body (the claim as the API shows it) is fixed then.
Delivery is queued on commit; a broker that does not answer is logged and the
relay, every minute, sends what is due (as the email outbox does).

Delivering. A worker leases the row with a conditional UPDATE (one worker per
row, no database lock held while the shop's server answers), POSTs the body,
and on a 2xx marks it delivered by the very next statement: once accepted it
is never sent again by the portal (only a manager's redeliver sends it again).
A refusal, a redirect, an error or a timeout is retried with backoff
(``claims.outbox.retry_delay``) up to ``ASM_WEBHOOK_MAX_ATTEMPTS``; every
attempt and answer is kept for the admin.

Signing. Each POST carries ``ASM-Signature: t=<unix time>,v1=<hex>``, the
HMAC-SHA256 of ``"<t>." + body`` under the endpoint's secret. The secret is
never stored: it is derived from ``SECRET_KEY`` and the endpoint's random
salt, shown once when the endpoint is made (so rotating ``SECRET_KEY`` changes
every endpoint's secret). See docs/webhooks.md.
"""

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from claims.lifecycle import ClaimEventKind
from claims.models import Claim, ClaimEvent
from claims.outbox import leased_batches, publish_task, retry_delay
from shop_api.claim_feed import claim_representation
from shop_api.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)

DELIVER_TASK = "shop_api.tasks.deliver_webhook"
SIGNATURE_HEADER = "ASM-Signature"
# Tells a webhook secret apart from an API key in the shop's configuration; not itself a secret.
SECRET_PREFIX = "whsec_"  # noqa: S105  # nosec B105
# The answer kept for the admin, and the error text, are cut to this.
KEPT_CHARS = 2000
RELAY_BUDGET_SECONDS = 120.0
USER_AGENT = "ASM-Care-Portal-Webhooks/1"

# The claim events the shop hears of. ``submitted`` only when the claim is filed (not when an answer
# sends it back to review); the steps between (information requested, inspected, reminders) are not sent.
SENT_EVENTS: dict[ClaimEventKind, WebhookEvent] = {
    ClaimEventKind.SUBMITTED: WebhookEvent.SUBMITTED,
    ClaimEventKind.APPROVED: WebhookEvent.APPROVED,
    ClaimEventKind.RECEIVED: WebhookEvent.RECEIVED,
    ClaimEventKind.RESOLVED: WebhookEvent.RESOLVED,
    ClaimEventKind.REJECTED: WebhookEvent.REJECTED,
    ClaimEventKind.CANCELLED: WebhookEvent.CANCELLED,
    ClaimEventKind.EXPIRED: WebhookEvent.EXPIRED,
}


# --- Secrets and signatures ---------------------------------------------------------


def new_secret(endpoint: WebhookEndpoint) -> str:
    """Give the endpoint a new secret (its salt) and return it, to be shown once and never again."""
    endpoint.secret_salt = secrets.token_hex(32)
    return signing_secret(endpoint)


def signing_secret(endpoint: WebhookEndpoint) -> str:
    mac = salted_hmac("shop_api.webhook-secret", endpoint.secret_salt, algorithm="sha256")
    return SECRET_PREFIX + mac.hexdigest()


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The ``ASM-Signature`` header's value for this body at this time."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


# --- Recording ----------------------------------------------------------------------


def event_for(claim_event: ClaimEvent) -> WebhookEvent | None:
    if claim_event.kind == ClaimEventKind.SUBMITTED and claim_event.from_status:
        return None  # an answer sent the claim back to review
    return SENT_EVENTS.get(ClaimEventKind(claim_event.kind))


def record_claim_event(*, claim: Claim, claim_event: ClaimEvent) -> list[WebhookDelivery]:
    """Write a delivery to each active endpoint that wants this claim event; inside the service's
    transaction, so nothing is sent for a change that rolls back."""
    event = event_for(claim_event)
    if event is None:
        return []
    endpoints = [
        endpoint for endpoint in WebhookEndpoint.objects.filter(is_active=True) if event in endpoint.events
    ]
    if not endpoints:
        return []
    event_id = uuid.uuid4()
    body = json.dumps(
        {
            "id": str(event_id),
            "type": str(event),
            "created_at": timezone.now().isoformat(),
            "data": {"claim": claim_representation(claim)},
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event=event, event_id=event_id, claim=claim, body=body)
        for endpoint in endpoints
    )
    for delivery in deliveries:
        transaction.on_commit(partial(enqueue_delivery, delivery_id=delivery.pk), robust=True)
    return deliveries


def enqueue_delivery(*, delivery_id: int) -> bool:
    """Publish the delivery task; False when the broker does not answer (the relay will deliver)."""
    try:
        publish_task(DELIVER_TASK, args=[delivery_id])
    except Exception:
        logger.warning("Could not queue webhook %s; the relay will send it.", delivery_id, exc_info=True)
        return False
    return True


# --- Delivering ---------------------------------------------------------------------


def due_deliveries(*, now: datetime) -> QuerySet[WebhookDelivery]:
    """Rows waiting whose time has come and that no live worker holds (index ``webhook_due``)."""
    return WebhookDelivery.objects.filter(
        state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now
    ).filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now))


def take_leases(*, delivery_ids: list[int], now: datetime) -> list[WebhookDelivery]:
    """Own the due, free rows among ``delivery_ids`` for ASM_OUTBOX_LEASE_SECONDS, counting the attempt."""
    expires_at = now + timedelta(
        seconds=settings.ASM_OUTBOX_LEASE_SECONDS, microseconds=secrets.randbelow(1_000_000)
    )
    due_deliveries(now=now).filter(pk__in=delivery_ids).update(
        lease_expires_at=expires_at, attempts=F("attempts") + 1
    )
    return list(
        WebhookDelivery.objects.filter(pk__in=delivery_ids, lease_expires_at=expires_at)
        .select_related("endpoint")
        .order_by("pk")
    )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to retry, not an address to follow with the signed body."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    body: str
    error: str

    @property
    def accepted(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(*, url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST and read the answer; a refusal, an unreachable server or a timeout is an Answer too."""
    if not url.lower().startswith(("https://", "http://")):
        return Answer(None, "", "the URL is not http or https")
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
    try:
        # The scheme is checked above (and by the model): no file:// or other handler is reached.
        with _opener.open(request, timeout=settings.ASM_WEBHOOK_TIMEOUT_SECONDS) as response:  # nosec B310
            return Answer(response.status, response.read(KEPT_CHARS).decode(errors="replace"), "")
    except urllib.error.HTTPError as refusal:
        text = refusal.read(KEPT_CHARS).decode(errors="replace") if refusal.fp else ""
        return Answer(refusal.code, text, f"HTTP {refusal.code}")
    except (OSError, ValueError) as error:  # URLError, timeouts, resets, a malformed URL
        reason = getattr(error, "reason", error)
        return Answer(None, "", f"{type(error).__name__}: {reason}"[:KEPT_CHARS])


def _send_leased(delivery: WebhookDelivery, *, now: datetime) -> bool:
    """POST a row this worker holds; record the attempt and the outcome. True when the shop accepted it."""
    mine = WebhookDelivery.objects.filter(
        pk=delivery.pk, state=WebhookDelivery.State.PENDING, lease_expires_at=delivery.lease_expires_at
    )
    if not delivery.endpoint.is_active:
        # A manager switched the endpoint off: what it had not received yet is not sent (redeliver later).
        mine.update(
            state=WebhookDelivery.State.FAILED, lease_expires_at=None, last_error="the endpoint is not active"
        )
        return False
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "ASM-Event": delivery.event,
        "ASM-Delivery": str(delivery.event_id),
        SIGNATURE_HEADER: signature(secret=signing_secret(delivery.endpoint), timestamp=timestamp, body=body),
    }
    started_at = timezone.now()
    clock = time.monotonic()
    answer = post(url=delivery.endpoint.url, body=body, headers=headers)
    if answer.accepted:
        # Right after the answer: a worker dying between the two is the one window for a second POST.
        mine.update(
            state=WebhookDelivery.State.DELIVERED,
            delivered_at=timezone.now(),
            lease_expires_at=None,
            last_error="",
        )
    else:
        changes: dict[str, Any] = {"lease_expires_at": None, "last_error": answer.error}
        if delivery.attempts >= settings.ASM_WEBHOOK_MAX_ATTEMPTS:
            changes["state"] = WebhookDelivery.State.FAILED
        else:
            changes["next_attempt_at"] = now + retry_delay(delivery.attempts)
        mine.update(**changes)
        logger.warning("Webhook %s failed (attempt %d): %s", delivery.pk, delivery.attempts, answer.error)
    WebhookAttempt.objects.create(
        delivery=delivery,
        started_at=started_at,
        duration_ms=int((time.monotonic() - clock) * 1000),
        status_code=answer.status_code,
        response_body=answer.body,
        error=answer.error,
    )
    return answer.accepted


def deliver_webhook(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Send one row if it is due and free; True when this call delivered it. Safe to call again."""
    moment = now or timezone.now()
    leased = take_leases(delivery_ids=[delivery_id], now=moment)
    return bool(leased) and _send_leased(leased[0], now=moment)


def relay_webhooks(*, now: datetime | None = None, budget_seconds: float = RELAY_BUDGET_SECONDS) -> int:
    """Deliver every due row, in leased batches walked in id order; returns how many were accepted."""
    delivered = 0
    for delivery, moment in leased_batches(
        due=lambda moment: due_deliveries(now=moment),
        lease=lambda ids, moment: take_leases(delivery_ids=ids, now=moment),
        room_seconds=settings.ASM_OUTBOX_LEASE_SECONDS - 2 * settings.ASM_WEBHOOK_TIMEOUT_SECONDS,
        budget_seconds=budget_seconds,
        now=now,
    ):
        delivered += _send_leased(delivery, now=moment)
    return delivered


def redeliver(*, delivery_ids: Iterable[int]) -> int:
    """Managers' redeliver: the rows (delivered or failed) go out again now, attempts from zero.

    A row a worker is sending right now is left alone. Returns how many were queued.
    """
    now = timezone.now()
    with transaction.atomic():
        chosen = list(
            WebhookDelivery.objects.select_for_update()
            .filter(pk__in=list(delivery_ids))
            .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now))
            .values_list("pk", flat=True)
        )
        WebhookDelivery.objects.filter(pk__in=chosen).update(
            state=WebhookDelivery.State.PENDING, attempts=0, next_attempt_at=now, lease_expires_at=None
        )
        for delivery_id in chosen:
            transaction.on_commit(partial(enqueue_delivery, delivery_id=delivery_id), robust=True)
    return len(chosen)
