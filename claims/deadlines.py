"""The deadline sweep: the RP4 / WP4 alerts, and the reminders and expiries of waiting claims.

Each claim and event is acted on once: the sweep sets the claim's ``*_sent_at``
column with ``UPDATE … WHERE column IS NULL`` and records the email in the same
transaction, so two sweeps, at once or one after the other, never both act.
Periods come from each claim's own terms snapshot.

It reads claims only through the partial indexes of ``Claim.Meta``: the
RP4 / WP4 queries are range scans on the due dates; the waiting claims are
the (small) population of their status, which the expiries themselves drain.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, ngettext

from claims.errors import ClaimError
from claims.languages import language_of
from claims.lifecycle import CLOCK_STATUSES, Status
from claims.models import Claim, ClaimEvent, Message
from claims.outbox import record_notification
from claims.selectors import due_soon, overdue
from claims.services import expire_claim
from policies.terms import Terms

# --- Selectors ------------------------------------------------------------------


def claims_due_soon(*, today: date) -> QuerySet[Claim]:
    return Claim.objects.filter(due_soon(today))


def claims_overdue(*, today: date) -> QuerySet[Claim]:
    return Claim.objects.filter(overdue(today))


def claims_needing_target_alert(*, today: date) -> QuerySet[Claim]:
    """Uses the partial index ``claim_clock_target`` (ordered by its column, oldest first)."""
    return claims_due_soon(today=today).filter(target_alert_sent_at__isnull=True).order_by("target_on")


def claims_needing_deadline_alert(*, today: date) -> QuerySet[Claim]:
    """Uses the partial index ``claim_clock_deadline``."""
    return claims_overdue(today=today).filter(deadline_alert_sent_at__isnull=True).order_by("deadline_on")


def claims_awaiting_shipment(*, approved_before: datetime) -> QuerySet[Claim]:
    """Uses the partial index ``claim_awaiting_shipment``."""
    return Claim.objects.filter(
        status=Status.APPROVED, shipped_on__isnull=True, approved_at__lte=approved_before
    ).order_by("approved_at")


def claims_awaiting_answer(*, asked_before: datetime) -> QuerySet[Claim]:
    """Uses the partial index ``claim_awaiting_answer``."""
    return Claim.objects.filter(status=Status.INFO_REQUESTED, info_requested_at__lte=asked_before).order_by(
        "info_requested_at"
    )


# --- The sweep ------------------------------------------------------------------


@dataclass
class SweepReport:
    target_alerts: int = 0
    deadline_alerts: int = 0
    ship_reminders: int = 0
    ship_expiries: int = 0
    info_reminders: int = 0
    info_expiries: int = 0

    def __str__(self) -> str:
        """What ``manage.py sweep_deadlines`` tells staff, in the active language."""
        return ", ".join(
            f"{SWEEP_REPORT_LABELS[field.name]}: {getattr(self, field.name)}" for field in fields(self)
        )


SWEEP_REPORT_LABELS = {
    "target_alerts": gettext_lazy("target alerts"),
    "deadline_alerts": gettext_lazy("deadline alerts"),
    "ship_reminders": gettext_lazy("ship reminders"),
    "ship_expiries": gettext_lazy("ship expiries"),
    "info_reminders": gettext_lazy("info reminders"),
    "info_expiries": gettext_lazy("info expiries"),
}


def _mark_once(*, claim: Claim, column: str, now: datetime, still: Q) -> bool:
    """Set ``column`` if it is empty and the claim is still in the state ``still`` describes.

    Run inside the transaction that records the email: a concurrent sweep's
    UPDATE waits for this one's row lock, then finds the column set.
    """
    matched = Claim.objects.filter(still, pk=claim.pk, **{f"{column}__isnull": True}).update(**{column: now})
    return matched == 1


def _log(*, claim: Claim, kind: str, data: dict[str, Any]) -> None:
    # The audit trail names the system (no actor); these are staff-side records.
    ClaimEvent.objects.create(claim=claim, kind=kind, actor=None, data=data, customer_visible=False)


def _customer_email(claim: Claim) -> str:
    return claim.order_line.order.customer.email


def alert_target(*, claim: Claim, now: datetime) -> bool:
    """RP4 / WP4 target date reached: the care staff on duty hear of it; the claim is due soon."""
    with transaction.atomic():
        if not _mark_once(
            claim=claim, column="target_alert_sent_at", now=now, still=Q(status__in=CLOCK_STATUSES)
        ):
            return False
        dates = {"target_on": str(claim.target_on), "deadline_on": str(claim.deadline_on)}
        record_notification(
            template_key="target_passed",
            recipient=settings.ASM_CARE_STAFF_EMAIL,
            unique_key=f"target_passed:{claim.pk}",
            claim=claim,
            context=dates,
        )
        _log(claim=claim, kind="target_passed", data=dates)
    return True


def alert_deadline(*, claim: Claim, now: datetime) -> bool:
    """RP4 / WP4 deadline missed: the managers are told, and the customer gets a delay notice."""
    with transaction.atomic():
        if not _mark_once(
            claim=claim, column="deadline_alert_sent_at", now=now, still=Q(status__in=CLOCK_STATUSES)
        ):
            return False
        dates = {"target_on": str(claim.target_on), "deadline_on": str(claim.deadline_on)}
        record_notification(
            template_key="deadline_missed",
            recipient=settings.ASM_CARE_MANAGERS_EMAIL,
            unique_key=f"deadline_missed:{claim.pk}",
            claim=claim,
            context=dates,
        )
        record_notification(
            template_key="delay_notice",
            recipient=_customer_email(claim),
            unique_key=f"delay_notice:{claim.pk}",
            claim=claim,
            context=dates,
        )
        _log(claim=claim, kind="deadline_missed", data=dates)
    return True


def _expire(*, claim: Claim, why: str) -> bool:
    try:
        expire_claim(claim=claim, why=why)
    except ClaimError:
        # Shipped, answered, cancelled or expired by someone else since it was read: nothing to do.
        return False
    return True


def remind_or_expire_shipment(*, claim: Claim, now: datetime) -> str | None:
    """An approved claim not shipped: a reminder after the terms' period, expiry after the second."""
    terms = Terms.from_snapshot(claim.policy_terms)
    if claim.approved_at is None:  # never, for a claim claims_awaiting_shipment selected
        return None
    expires_at = claim.approved_at + timedelta(days=terms.ship_expiry_days)
    if now >= expires_at:
        with translation.override(language_of(claim.order_line.order.customer)):
            why = ngettext(
                "the item was not shipped within %(days)d day of the approval.",
                "the item was not shipped within %(days)d days of the approval.",
                terms.ship_expiry_days,
            ) % {"days": terms.ship_expiry_days}
        return "expired" if _expire(claim=claim, why=why) else None
    if now < claim.approved_at + timedelta(days=terms.ship_reminder_days):
        return None
    with transaction.atomic():
        still = Q(status=Status.APPROVED, shipped_on__isnull=True)
        if not _mark_once(claim=claim, column="ship_reminder_sent_at", now=now, still=still):
            return None
        record_notification(
            template_key="ship_reminder",
            recipient=_customer_email(claim),
            unique_key=f"ship_reminder:{claim.pk}",
            claim=claim,
            context={"expires_on": str(timezone.localdate(expires_at))},
        )
        _log(claim=claim, kind="ship_reminder", data={"expires_on": str(timezone.localdate(expires_at))})
    return "reminded"


def remind_or_expire_answer(*, claim: Claim, now: datetime) -> str | None:
    """A question not answered: a reminder after the terms' period, expiry after the second."""
    terms = Terms.from_snapshot(claim.policy_terms)
    asked_at = claim.info_requested_at
    if asked_at is None:  # never, for a claim claims_awaiting_answer selected
        return None
    expires_at = asked_at + timedelta(days=terms.info_expiry_days)
    if now >= expires_at:
        with translation.override(language_of(claim.order_line.order.customer)):
            why = ngettext(
                "the question from care was not answered within %(days)d day.",
                "the question from care was not answered within %(days)d days.",
                terms.info_expiry_days,
            ) % {"days": terms.info_expiry_days}
        return "expired" if _expire(claim=claim, why=why) else None
    if now < asked_at + timedelta(days=terms.info_reminder_days):
        return None
    question = (
        Message.objects.filter(claim=claim, kind=Message.Kind.QUESTION).order_by("-created_at", "-pk").first()
    )
    with transaction.atomic():
        # The same question still waiting: a new question resets the column and gets its own reminder.
        still = Q(status=Status.INFO_REQUESTED, info_requested_at=asked_at)
        if not _mark_once(claim=claim, column="info_reminder_sent_at", now=now, still=still):
            return None
        record_notification(
            template_key="info_reminder",
            recipient=_customer_email(claim),
            unique_key=f"info_reminder:{claim.pk}:{asked_at.timestamp():.0f}",
            claim=claim,
            context={
                "question": question.body if question else "",
                "expires_on": str(timezone.localdate(expires_at)),
            },
        )
        _log(claim=claim, kind="info_reminder", data={"expires_on": str(timezone.localdate(expires_at))})
    return "reminded"


def sweep_deadlines(*, now: datetime) -> SweepReport:
    """One pass over the due claims; safe to run twice, or twice at once."""
    today = timezone.localdate(now)
    report = SweepReport()
    with_customer = ("order_line__order__customer", "order_line__product")
    for claim in claims_needing_target_alert(today=today).select_related(*with_customer):
        report.target_alerts += alert_target(claim=claim, now=now)
    for claim in claims_needing_deadline_alert(today=today).select_related(*with_customer):
        report.deadline_alerts += alert_deadline(claim=claim, now=now)
    for claim in claims_awaiting_shipment(approved_before=now).select_related(*with_customer):
        outcome = remind_or_expire_shipment(claim=claim, now=now)
        report.ship_reminders += outcome == "reminded"
        report.ship_expiries += outcome == "expired"
    for claim in claims_awaiting_answer(asked_before=now).select_related(*with_customer):
        outcome = remind_or_expire_answer(claim=claim, now=now)
        report.info_reminders += outcome == "reminded"
        report.info_expiries += outcome == "expired"
    return report
