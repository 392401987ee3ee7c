"""Read queries of the claim domain (services write; selectors read)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from claims.lifecycle import CLOCK_STATUSES, OPEN_STATUSES, ClaimKind, Outcome, Status
from claims.models import OPEN_STATUS_VALUES, Claim, Inspection, OrderLine
from policies.declaration import declaration_of
from policies.eligibility import Verdict, return_eligibility, warranty_eligibility
from policies.reasons import ReturnReason, ShippingPayer, asm_owes_shipping
from policies.terms import Terms, current_terms

# A claim covers its items while open, and once resolved unless the items went
# back to the customer (RP5): those may still be claimed, e.g. under warranty.
COVERING_CLAIMS = Q(status__in=OPEN_STATUS_VALUES) | (
    Q(status=Status.RESOLVED) & ~Q(outcome=Outcome.RETURNED_TO_CUSTOMER)
)

# A claim decided against the customer: refused at review, or its item sent back after inspection (RP5).
# The customer is not offered a claim of the same kind for the same item again (staff may file one);
# the other kind stays open, e.g. a warranty claim after a refused return.
REFUSED_CLAIMS = Q(status=Status.REJECTED) | (
    Q(status=Status.RESOLVED) & Q(outcome=Outcome.RETURNED_TO_CUSTOMER)
)


def is_refused(claim: Claim) -> bool:
    """``REFUSED_CLAIMS`` for a claim in hand."""
    return claim.status == Status.REJECTED or (
        claim.status == Status.RESOLVED and claim.outcome == Outcome.RETURNED_TO_CUSTOMER
    )


def refused_units(order_line: OrderLine, kind: str) -> int:
    """How many of the line's units a claim of this kind was refused for (RP5): the customer may not claim
    those units under that kind again; the line's other units stay open to it."""
    refused = order_line.claims.filter(REFUSED_CLAIMS, kind=kind).aggregate(total=Sum("quantity"))["total"]
    return refused or 0


def shipping_reimbursable(claim: Claim) -> bool:
    """R6: inspection confirmed ASM owed the shipping, yet the customer paid it."""
    inspection = Inspection.objects.filter(claim=claim).first()
    return (
        inspection is not None
        and asm_owes_shipping(
            defect_confirmed=inspection.defect_confirmed,
            shipping_damage_confirmed=inspection.shipping_damage_confirmed,
        )
        and claim.shipping_payer == ShippingPayer.CUSTOMER
    )


def claimable_quantity(order_line: OrderLine) -> int:
    """The line's quantity less what other open or resolved claims already cover."""
    covered = order_line.claims.filter(COVERING_CLAIMS).aggregate(total=Sum("quantity"))["total"] or 0
    return max(order_line.quantity - covered, 0)


def claim_destination(claim: Claim, *, current: Terms | None = None) -> str:
    """Where the customer sends the item (RP3, WP3): the address in the claim's terms, or, if it was never
    set when the claim was filed, the one set since (``current``, when the caller has read them already);
    empty while neither is set."""
    return Terms.from_snapshot(claim.policy_terms).destination(claim.kind) or (
        current or current_terms()
    ).destination(claim.kind)


def shipment_expires_at(claim: Claim) -> datetime | None:
    """When an approved claim whose item was not sent expires: ``ship_expiry_days`` after the approval, in
    the claim's own terms (the deadline sweep expires it then; the customer is told the day)."""
    if claim.approved_at is None:
        return None
    return claim.approved_at + timedelta(days=Terms.from_snapshot(claim.policy_terms).ship_expiry_days)


def ship_by(claim: Claim) -> date | None:
    """The last day to send an approved claim's item before it expires."""
    expires_at = shipment_expires_at(claim)
    return timezone.localdate(expires_at) if expires_at else None


def eligibility_as_filed(claim: Claim) -> Verdict:
    """The verdict on the claim as filed: its own terms snapshot, judged on its filing date."""
    order = claim.order_line.order
    terms = Terms.from_snapshot(claim.policy_terms)
    filed_on = timezone.localdate(claim.submitted_at)
    declaration = declaration_of(claim)
    if claim.kind == ClaimKind.RETURN:
        return return_eligibility(
            delivered_on=order.delivered_on,
            today=filed_on,
            terms=terms,
            reason=ReturnReason(claim.return_reason),
            declaration=declaration,
        )
    return warranty_eligibility(
        purchased_on=order.purchased_on,
        delivered_on=order.delivered_on,
        today=filed_on,
        terms=terms,
        declaration=declaration,
    )


# --- The back office ---------------------------------------------------------


def due_soon(today: date) -> Q:
    """Claims awaiting their outcome whose RP4 / WP4 target date has come (PRODUCT.md: today ≥ target).

    Read through the partial index ``claim_clock_target``."""
    return Q(status__in=CLOCK_STATUSES, target_on__lte=today)


def overdue(today: date) -> Q:
    """Claims awaiting their outcome past their RP4 / WP4 deadline (PRODUCT.md: today > deadline).

    Read through the partial index ``claim_clock_deadline``."""
    return Q(status__in=CLOCK_STATUSES, deadline_on__lt=today)


@dataclass(frozen=True)
class DeadlineDashboard:
    open_by_status: list[tuple[Status, int]]
    due_soon: int
    overdue: int
    resolved_recently: int
    resolved_in_time: int
    since: date

    @property
    def open_total(self) -> int:
        return sum(count for _status, count in self.open_by_status)

    @property
    def share_in_time(self) -> float | None:
        """The share of claims resolved in the period that met their RP4 / WP4 deadline."""
        return self.resolved_in_time / self.resolved_recently if self.resolved_recently else None


def deadline_dashboard(*, today: date, days: int = 30) -> DeadlineDashboard:
    """The managers' figures: open claims by status, due soon, overdue, and resolved in time lately."""
    counts = dict(
        # COUNT(*), not of a column: read from the small index claim_open_status alone, never the table.
        Claim.objects.filter(status__in=OPEN_STATUS_VALUES)
        .values_list("status")
        .annotate(count=Count("*"))
        .values_list("status", "count")
    )
    since = today - timedelta(days=days)
    zone = timezone.get_current_timezone()
    resolved = (
        # Those closed on a local day after ``since``, up to today, through ``claim_resolved_recent``.
        Claim.objects.filter(
            status=Status.RESOLVED,
            closed_at__gte=datetime.combine(since + timedelta(days=1), time.min, tzinfo=zone),
            closed_at__lt=datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone),
            deadline_on__isnull=False,
        )
        .annotate(closed_on=TruncDate("closed_at"))
        .aggregate(total=Count("pk"), in_time=Count("pk", filter=Q(closed_on__lte=F("deadline_on"))))
    )
    return DeadlineDashboard(
        open_by_status=[(status, counts.get(status, 0)) for status in Status if status in OPEN_STATUSES],
        due_soon=Claim.objects.filter(due_soon(today)).count(),
        overdue=Claim.objects.filter(overdue(today)).count(),
        resolved_recently=resolved["total"],
        resolved_in_time=resolved["in_time"],
        since=since,
    )


# --- The warehouse -------------------------------------------------------------


@dataclass(frozen=True)
class ParcelReceipt:
    received_at: datetime
    received_by: str  # the staff member's name or email; empty for the system


def parcel_receipt(claim: Claim) -> ParcelReceipt | None:
    """When and by whom the claim's parcel was marked received, from the audit trail; None if never."""
    event = (
        claim.events.filter(to_status=Status.RECEIVED).select_related("actor").order_by("-created_at").first()
    )
    if event is None:
        return None
    return ParcelReceipt(received_at=event.created_at, received_by=str(event.actor) if event.actor else "")
