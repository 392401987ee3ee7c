"""The portal's read queries: a customer reaches only what is theirs (404 for anything else)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import BooleanField, Case, Prefetch, QuerySet, When
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from asm_portal.compiled_reads import CompiledRead
from claims.lifecycle import ClaimEventKind, ClaimKind
from claims.models import Claim, ClaimEvent, ClaimPhoto, Order, OrderLine, User, normalize_email
from claims.selectors import COVERING_CLAIMS, REFUSED_CLAIMS, is_refused
from policies.eligibility import (
    Declaration,
    Verdict,
    return_declaration_problems,
    return_requires_photos,
    return_window,
    warranty_eligibility,
    warranty_period,
)
from policies.reasons import (
    RETURN_RULES,
    WARRANTY_PAYERS,
    DefectCategory,
    ReturnReason,
    ReturnRule,
    ShippingPayer,
)
from policies.terms import Terms


@dataclass(frozen=True)
class LineStanding:
    """What a customer may still do with one order line today (R1, W1)."""

    line: OrderLine
    return_verdict: Verdict
    warranty_verdict: Verdict
    open_claim: Claim | None
    claimable_quantity: int
    # The claims decided against the customer for this line (``REFUSED_CLAIMS``), oldest first: their units
    # may not be claimed under their kind again (RP5).
    refused: tuple[Claim, ...] = ()

    def units_left(self, kind: str) -> int:
        """The units the customer may still claim under ``kind``: not covered by a claim, nor refused under
        it."""
        refused_units = sum(claim.quantity for claim in self.refused if claim.kind == kind)
        return max(self.claimable_quantity - refused_units, 0)

    @property
    def can_file(self) -> bool:
        return self.open_claim is None and self.claimable_quantity > 0

    @property
    def can_return(self) -> bool:
        return self.can_file and self.return_verdict.eligible and self.units_left(ClaimKind.RETURN) > 0

    @property
    def can_claim_warranty(self) -> bool:
        return self.can_file and self.warranty_verdict.eligible and self.units_left(ClaimKind.WARRANTY) > 0

    def refused_for_good(self, kind: str) -> Claim | None:
        """The newest refused claim of ``kind``, when it leaves no unit of the line to claim that way."""
        if self.units_left(kind):
            return None
        return next((claim for claim in reversed(self.refused) if claim.kind == kind), None)

    @property
    def refused_return(self) -> Claim | None:
        return self.refused_for_good(ClaimKind.RETURN)

    @property
    def refused_warranty(self) -> Claim | None:
        return self.refused_for_good(ClaimKind.WARRANTY)


@dataclass(frozen=True)
class OrderStanding:
    order: Order
    lines: list[LineStanding]


def customer_lines(customer: User) -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(order__customer=customer).select_related("order", "product")


def customer_claims(customer: User) -> QuerySet[Claim]:
    return Claim.objects.filter(order_line__order__customer=customer).select_related(
        "order_line__order", "order_line__product"
    )


def line_standing(line: OrderLine, *, today: date, terms: Terms) -> LineStanding:
    """``line`` must come with its covering and refused claims prefetched as ``covering_claims`` and
    ``refused_claims``."""
    covering: list[Claim] = line.covering_claims  # type: ignore[attr-defined]
    refused: list[Claim] = line.refused_claims  # type: ignore[attr-defined]
    return LineStanding(
        line=line,
        return_verdict=return_window(delivered_on=line.order.delivered_on, today=today, terms=terms),
        warranty_verdict=warranty_period(
            purchased_on=line.order.purchased_on,
            delivered_on=line.order.delivered_on,
            today=today,
            terms=terms,
        ),
        open_claim=next((claim for claim in covering if claim.is_open), None),
        claimable_quantity=max(line.quantity - sum(claim.quantity for claim in covering), 0),
        refused=tuple(sorted(refused, key=lambda claim: claim.pk)),
    )


def _with_covering_claims(lines: QuerySet[OrderLine]) -> QuerySet[OrderLine]:
    return lines.prefetch_related(
        Prefetch("claims", queryset=Claim.objects.filter(COVERING_CLAIMS), to_attr="covering_claims"),
        Prefetch("claims", queryset=Claim.objects.filter(REFUSED_CLAIMS), to_attr="refused_claims"),
    )


@dataclass(frozen=True)
class OrdersPage:
    orders: list[OrderStanding]
    claims: Sequence[Claim]


# My orders' two reads, compiled once per connection (asm_portal.compiled_reads).
_ORDER_LINES = CompiledRead(
    lambda customer_id: customer_lines(User(pk=customer_id)).order_by(
        "-order__purchased_on", "-order__pk", "pk"
    ),
    customer_id=int,
)
# The claims with only what the list and the lines' standing show (a claim row is wide: the
# declaration, the policy snapshot), and whether the database finds each covering its items or refused.
_LISTED_CLAIMS = CompiledRead(
    lambda customer_id: (
        customer_claims(User(pk=customer_id))
        .select_related(None)
        .only("rma_number", "kind", "status", "quantity", "order_line")
        .annotate(
            covers_items=Case(When(COVERING_CLAIMS, then=True), default=False, output_field=BooleanField()),
            refused=Case(When(REFUSED_CLAIMS, then=True), default=False, output_field=BooleanField()),
        )
    ),
    customer_id=int,
)


def orders_page(*, customer: User, today: date, terms: Terms) -> OrdersPage:
    """Every order under the customer's email with each line's standing, and every claim, in two queries.

    The lines come with their order and product, newest order first, and are
    grouped by order here: an order is listed through its lines (the shop's
    orders always have some). The customer's claims are read once and take
    their product from those lines: listed newest first, and those that cover
    their items (``COVERING_CLAIMS``) counted against their line.
    """
    lines = _ORDER_LINES.all(customer_id=customer.pk)
    lines_by_id = {line.pk: line for line in lines}
    claims = _LISTED_CLAIMS.all(customer_id=customer.pk)
    covering: dict[int, list[Claim]] = defaultdict(list)
    refused: dict[int, list[Claim]] = defaultdict(list)
    for claim in claims:
        claim.order_line = lines_by_id[claim.order_line_id]
        if claim.covers_items:  # type: ignore[attr-defined]
            covering[claim.order_line_id].append(claim)
        if claim.refused:  # type: ignore[attr-defined]
            refused[claim.order_line_id].append(claim)
    orders: list[OrderStanding] = []
    for line in lines:
        line.covering_claims = covering[line.pk]  # type: ignore[attr-defined]
        line.refused_claims = refused[line.pk]  # type: ignore[attr-defined]
        if not orders or orders[-1].order.pk != line.order_id:
            orders.append(OrderStanding(order=line.order, lines=[]))
        orders[-1].lines.append(line_standing(line, today=today, terms=terms))
    return OrdersPage(orders=orders, claims=claims)


def customer_line_standing(*, customer: User, line_id: int, today: date, terms: Terms) -> LineStanding:
    """Raises ``OrderLine.DoesNotExist`` when the line is not the customer's."""
    line = _with_covering_claims(customer_lines(customer)).get(pk=line_id)
    return line_standing(line, today=today, terms=terms)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: str
    note: str
    by_customer: bool
    # In the exchange with care: "question" (care asked, the note is the question), "answer" (the
    # customer's answer, which sent the claim back to review), or "" for any other step.
    exchange: str = ""


def _exchange(event: ClaimEvent) -> str:
    if event.kind == ClaimEventKind.INFO_REQUESTED:
        return "question"
    if event.kind == ClaimEventKind.SUBMITTED and event.from_status == ClaimEventKind.INFO_REQUESTED:
        return "answer"
    return ""


def _timeline_entry(event: ClaimEvent, customer_id: int) -> TimelineEntry:
    if event.kind == ClaimEventKind.SHIPPED:
        shipped_on = event.data.get("shipped_on", "")
        day = date_format(date.fromisoformat(shipped_on)) if shipped_on else ""
        title = _("Parcel sent to ASM on %(day)s") % {"day": day}
    else:
        title = event.get_kind_display()
    return TimelineEntry(
        at=event.created_at,
        title=title,
        note=event.note,
        by_customer=event.actor_id == customer_id,
        exchange=_exchange(event),
    )


@dataclass(frozen=True)
class ClaimPage:
    claim: Claim
    timeline: list[TimelineEntry]
    photos: list[ClaimPhoto]

    @property
    def conversation(self) -> list[TimelineEntry]:
        """Care's questions and the customer's answers, oldest first: the steps that carried them."""
        return [entry for entry in self.timeline if entry.exchange]

    @property
    def latest_question(self) -> TimelineEntry | None:
        questions = [entry for entry in self.timeline if entry.exchange == "question"]
        return questions[-1] if questions else None


# The claim page's reads, compiled once per connection (asm_portal.compiled_reads): every customer's
# every visit makes them.
_CUSTOMER_CLAIM = CompiledRead(
    lambda customer_id, rma_number: customer_claims(User(pk=customer_id)).filter(rma_number=rma_number),
    customer_id=int,
    rma_number=str,
)
_VISIBLE_EVENTS = CompiledRead(
    lambda claim_id: ClaimEvent.objects.filter(claim_id=claim_id, customer_visible=True), claim_id=int
)
_PHOTOS = CompiledRead(lambda claim_id: ClaimPhoto.objects.filter(claim_id=claim_id), claim_id=int)


def customer_claim(*, customer: User, rma_number: str) -> Claim:
    """Raises ``Claim.DoesNotExist`` when the claim is not the customer's."""
    return _CUSTOMER_CLAIM.get(customer_id=customer.pk, rma_number=rma_number)


def claim_page(claim: Claim) -> ClaimPage:
    """What the customer may see of a claim: its visible events (care's questions and the customer's
    answers among them: each is the note of the step that carried it) and its photos."""
    customer_id = claim.order_line.order.customer_id
    return ClaimPage(
        claim=claim,
        timeline=[_timeline_entry(event, customer_id) for event in _VISIBLE_EVENTS.all(claim_id=claim.pk)],
        photos=_PHOTOS.all(claim_id=claim.pk),
    )


def sign_in_customer(*, order_number: str, email: str) -> User | None:
    """The customer who may sign in by this order number and email, if any.

    Staff accounts never match: they use the admin login.
    """
    return (
        User.objects.filter(
            email=normalize_email(email),
            is_active=True,
            is_staff=False,
            is_superuser=False,
            orders__number__iexact=order_number.strip(),
        )
        .distinct()
        .first()
    )


def warranty_open_until(claim: Claim, *, today: date, terms: Terms) -> date | None:
    """After a return was refused or sent back: the last day the customer may still file a warranty claim
    for the item (W1, ``terms``: today's), or None when that is not open to them."""
    if claim.kind != ClaimKind.RETURN or not is_refused(claim):
        return None
    if claim.order_line.claims.filter(REFUSED_CLAIMS, kind=ClaimKind.WARRANTY).exists():
        return None
    order = claim.order_line.order
    verdict = warranty_period(
        purchased_on=order.purchased_on, delivered_on=order.delivered_on, today=today, terms=terms
    )
    return verdict.last_day if verdict.eligible else None


# --- What the filing and policy pages explain -------------------------------------------


@dataclass(frozen=True)
class ReasonGuide:
    """For one return reason: who pays shipping (R6), whether photos are needed, what must hold (R2–R4)."""

    reason: ReturnReason
    payer: ShippingPayer
    photos_required: bool
    declaration_problems: dict[str, str]


def return_reason_guide() -> list[ReasonGuide]:
    return [
        ReasonGuide(
            reason=reason,
            payer=RETURN_RULES[reason].payer,
            photos_required=return_requires_photos(reason),
            declaration_problems=return_declaration_problems(reason, Declaration()),
        )
        for reason in ReturnReason
    ]


def warranty_payers() -> list[tuple[DefectCategory, ShippingPayer]]:
    """Who pays shipping for each defect category (R6)."""
    return [(category, WARRANTY_PAYERS[category]) for category in DefectCategory]


def return_rules() -> list[tuple[ReturnReason, ReturnRule]]:
    """The reason table of the policy page: what each return reason requires (R2–R4, R6)."""
    return [(reason, RETURN_RULES[reason]) for reason in ReturnReason]


def warranty_exclusions(*, line: OrderLine, today: date, terms: Terms) -> dict[str, str]:
    """What a warranty claim for the line must rule out (W4, W5), as the form explains it."""
    return warranty_eligibility(
        purchased_on=line.order.purchased_on,
        delivered_on=line.order.delivered_on,
        today=today,
        terms=terms,
        declaration=Declaration(),
    ).problems
