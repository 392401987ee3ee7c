"""The deadline sweep: the RP4 / WP4 alerts, and the reminders and expiries of waiting claims.

The sweep decides when; the claim services write (``alert_target_passed``,
``alert_deadline_missed``, ``remind_to_ship``, ``remind_to_answer``,
``expire_claim``), each acting once per claim and event, so that two sweeps,
at once or one after the other, never both act. Periods come from each
claim's own terms snapshot.

It reads claims only through the partial indexes of ``Claim.Meta``: the
RP4 / WP4 queries are range scans on the due dates; the waiting claims are
the (small) population of their status, which the expiries themselves drain.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, ngettext

from claims.errors import ClaimError
from claims.languages import language_of
from claims.lifecycle import ClaimEventKind, Status
from claims.models import Claim
from claims.selectors import due_soon, overdue, shipment_expires_at
from claims.services import (
    alert_deadline_missed,
    alert_target_passed,
    expire_claim,
    remind_to_answer,
    remind_to_ship,
)
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


def _expire(*, claim: Claim, why: str) -> ClaimEventKind | None:
    try:
        expire_claim(claim=claim, why=why)
    except ClaimError:
        # Shipped, answered, cancelled or expired by someone else since it was read: nothing to do.
        return None
    return ClaimEventKind.EXPIRED


def remind_or_expire_shipment(*, claim: Claim, now: datetime) -> ClaimEventKind | None:
    """An approved claim not shipped: a reminder after the terms' period, expiry after the second.

    Returns the kind of event it recorded, if any.
    """
    terms = Terms.from_snapshot(claim.policy_terms)
    expires_at = shipment_expires_at(claim)
    # Never None for a claim that claims_awaiting_shipment selected.
    if claim.approved_at is None or expires_at is None:
        return None
    if now >= expires_at:
        with translation.override(language_of(claim.order_line.order.customer)):
            why = ngettext(
                "the item was not shipped within %(days)d day of the approval.",
                "the item was not shipped within %(days)d days of the approval.",
                terms.ship_expiry_days,
            ) % {"days": terms.ship_expiry_days}
        return _expire(claim=claim, why=why)
    if now < claim.approved_at + timedelta(days=terms.ship_reminder_days):
        return None
    reminded = remind_to_ship(claim=claim, now=now, expires_on=timezone.localdate(expires_at))
    return ClaimEventKind.SHIP_REMINDER if reminded else None


def remind_or_expire_answer(*, claim: Claim, now: datetime) -> ClaimEventKind | None:
    """A question not answered: a reminder after the terms' period, expiry after the second.

    Returns the kind of event it recorded, if any.
    """
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
        return _expire(claim=claim, why=why)
    if now < asked_at + timedelta(days=terms.info_reminder_days):
        return None
    reminded = remind_to_answer(claim=claim, now=now, expires_on=timezone.localdate(expires_at))
    return ClaimEventKind.INFO_REMINDER if reminded else None


def sweep_deadlines(*, now: datetime) -> SweepReport:
    """One pass over the due claims; safe to run twice, or twice at once."""
    today = timezone.localdate(now)
    report = SweepReport()
    with_customer = ("order_line__order__customer", "order_line__product")
    for claim in claims_needing_target_alert(today=today).select_related(*with_customer):
        report.target_alerts += alert_target_passed(claim=claim, now=now)
    for claim in claims_needing_deadline_alert(today=today).select_related(*with_customer):
        report.deadline_alerts += alert_deadline_missed(claim=claim, now=now)
    for claim in claims_awaiting_shipment(approved_before=now).select_related(*with_customer):
        recorded = remind_or_expire_shipment(claim=claim, now=now)
        report.ship_reminders += recorded == ClaimEventKind.SHIP_REMINDER
        report.ship_expiries += recorded == ClaimEventKind.EXPIRED
    for claim in claims_awaiting_answer(asked_before=now).select_related(*with_customer):
        recorded = remind_or_expire_answer(claim=claim, now=now)
        report.info_reminders += recorded == ClaimEventKind.INFO_REMINDER
        report.info_expiries += recorded == ClaimEventKind.EXPIRED
    return report
