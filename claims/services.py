"""The claim services: the only writers of a claim.

Each service checks that the actor's role allows the step (``claims.permissions``;
``None`` is the system), locks the claim row, checks the transition against
``claims.lifecycle.ALLOWED_TRANSITIONS`` and every other rule on the locked
row, saves with ``update_fields``, and in the same transaction writes the audit
event (``claims.events``) and the customer's email to the outbox. A refused
request raises a ``ClaimError`` and changes nothing.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from claims import events, permissions
from claims.errors import ClaimError, InvalidTransition, NotEligible, NotPermitted
from claims.lifecycle import CLOCK_STATUSES, ClaimKind, Outcome, RejectReason, Status, can_transition
from claims.models import (
    OPEN_STATUS_VALUES,
    Claim,
    ClaimEvent,
    ClaimPhoto,
    Inspection,
    Message,
    OrderLine,
    User,
)
from claims.outbox import record_notification
from claims.selectors import claim_destination, claimable_quantity, refused_units, shipping_reimbursable
from policies.calendar import load_business_calendar
from policies.dates import promised_dates
from policies.declaration import Declaration, contradicted_clauses, declaration_of, declared_columns
from policies.eligibility import (
    return_eligibility,
    return_requires_photos,
    warranty_eligibility,
)
from policies.reasons import (
    DefectCategory,
    ReturnReason,
    ShippingPayer,
    asm_owes_shipping,
    return_shipping_payer,
    warranty_shipping_payer,
)
from policies.terms import Terms, current_terms
from shop_api.webhooks import record_claim_event

MAX_PHOTOS_PER_CLAIM = 8

# --- Building blocks ------------------------------------------------------------


def _notify_customer(
    *, claim: Claim, template_key: str, event: ClaimEvent, context: dict[str, Any] | None = None
) -> None:
    record_notification(
        template_key=template_key,
        recipient=claim.order_line.order.customer.email,
        unique_key=f"{template_key}:{claim.pk}:{event.pk}",
        claim=claim,
        context=context,
    )


def _lock(claim: Claim) -> Claim:
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("order_line__order__customer", "order_line__product")
        .get(pk=claim.pk)
    )


def _change_status(
    *,
    claim: Claim,
    to: Status,
    actor: User | None,
    action: str,
    changes: dict[str, Any] | None = None,
    guard: Callable[[Claim], None] | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    customer_visible: bool = True,
    notify: str | None = None,
    notify_context: dict[str, Any] | None = None,
) -> Claim:
    """Lock, check, save, log and notify: the one path by which a status changes.

    ``action`` names the step for the refusal message ("approved", "cancelled").
    ``guard`` runs on the locked row and raises ``ClaimError`` to refuse.
    """
    with transaction.atomic():
        locked = _lock(claim)
        if not can_transition(locked.status, to):
            raise InvalidTransition(
                _("Claim %(rma)s is “%(status)s”, so it cannot be %(action)s.")
                % {"rma": locked.rma_number, "status": locked.get_status_display(), "action": action}
            )
        if guard is not None:
            guard(locked)
        from_status = locked.status
        changes = changes or {}
        old_and_new = {name: (getattr(locked, name), value) for name, value in changes.items()}
        locked.status = to
        for field_name, value in changes.items():
            setattr(locked, field_name, value)
        locked.save(update_fields=["status", *changes, "updated_at"])
        event = events.status_changed(
            claim=locked,
            actor=actor,
            from_status=from_status,
            changes=old_and_new,
            note=note,
            data=data,
            customer_visible=customer_visible,
        )
        record_claim_event(claim=locked, claim_event=event)
        if notify:
            _notify_customer(claim=locked, template_key=notify, event=event, context=notify_context)
    claim.refresh_from_db()
    return claim


def _require(actor: User, permission: str) -> None:
    if not actor.is_active or not actor.has_perm(permission):
        raise NotPermitted(_("Your role does not allow this step."))


def _ensure_owner_or_care(claim: Claim, actor: User) -> None:
    """The customer who filed the claim, or care staff acting for them."""
    if claim.order_line.order.customer_id != actor.pk and not actor.has_perm(permissions.REVIEW):
        raise NotPermitted(_("Only the customer who filed this claim, or care staff, can do this."))


def _terms_of(claim: Claim) -> Terms:
    return Terms.from_snapshot(claim.policy_terms)


def _check_parcel_date(day: date, *, claim: Claim, field: str, before_approval: str) -> None:
    """A parcel's shipping or receipt date: not in the future, not before the claim was approved.

    Checked on the locked row. A date out of that range (the year 1, say) is
    refused here, before any business calendar is built around it.
    """
    today = timezone.localdate()
    if day > today:
        raise ClaimError(_("The date cannot be in the future."), field_errors={field: _("In the future.")})
    if claim.approved_at is not None:
        approved_on = timezone.localdate(claim.approved_at)
        if day < approved_on:
            raise ClaimError(
                before_approval % {"day": date_format(approved_on)},
                field_errors={field: _("Before the approval.")},
            )


# --- Filing ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimRequest:
    """What a customer (or staff on the customer's behalf) asks for."""

    order_line: OrderLine
    kind: ClaimKind
    quantity: int
    description: str
    declaration: Declaration
    return_reason: ReturnReason | None = None
    defect_category: DefectCategory | None = None


def check_claim_request(
    request: ClaimRequest, *, photo_count: int, today: date, terms: Terms
) -> ShippingPayer:
    """Every rule a new claim must meet (R1–R4, W1–W5, RP2, WP2); returns the provisional payer.

    Raises ``NotEligible`` with an error for each failing input.
    """
    errors: dict[str, str] = {}
    order = request.order_line.order
    if not request.description.strip():
        errors["description"] = _("Describe the problem in a few words.")
    available = claimable_quantity(request.order_line)
    if request.quantity < 1:
        errors["quantity"] = _("The quantity must be at least 1.")
    elif request.quantity > available:
        errors["quantity"] = _("At most %(count)d of this item can still be claimed.") % {"count": available}
    if photo_count > MAX_PHOTOS_PER_CLAIM:
        errors["photos"] = _("At most %(count)d photos per claim.") % {"count": MAX_PHOTOS_PER_CLAIM}

    if request.kind == ClaimKind.RETURN:
        if request.return_reason is None:
            raise NotEligible(_("Choose a reason."), field_errors={"return_reason": _("Choose a reason.")})
        verdict = return_eligibility(
            delivered_on=order.delivered_on,
            today=today,
            terms=terms,
            reason=request.return_reason,
            declaration=request.declaration,
        )
        if return_requires_photos(request.return_reason) and photo_count == 0:
            errors["photos"] = _("Add at least one photo showing the problem.")
        payer = return_shipping_payer(request.return_reason)
    else:
        if request.defect_category is None:
            raise NotEligible(
                _("Choose a defect category."),
                field_errors={"defect_category": _("Choose a defect category.")},
            )
        verdict = warranty_eligibility(
            purchased_on=order.purchased_on,
            delivered_on=order.delivered_on,
            today=today,
            terms=terms,
            declaration=request.declaration,
        )
        if photo_count == 0:
            errors["photos"] = _("Add at least one photo of the defect (WP2).")
        payer = warranty_shipping_payer(request.defect_category)

    errors.update(verdict.problems)
    if not verdict.eligible and not verdict.problems:
        raise NotEligible(verdict.reason, field_errors=errors)
    if errors:
        raise NotEligible(
            verdict.reason if not verdict.eligible else _("Please correct the errors below."),
            field_errors=errors,
        )
    return payer


@transaction.atomic
def submit_claim(
    *, request: ClaimRequest, actor: User, photos: Sequence[ClaimPhoto] = (), today: date | None = None
) -> Claim:
    """File a claim for the order line's customer; staff filing for a customer are recorded (RP1, WP1)."""
    line = (
        OrderLine.objects.select_for_update().select_related("order__customer").get(pk=request.order_line.pk)
    )
    customer = line.order.customer
    if actor.pk != customer.pk and not actor.has_perm(permissions.FILE_CLAIM):
        raise NotPermitted(_("This order belongs to another customer."))
    if any(photo.claim_id is not None or photo.owner_id not in (customer.pk, actor.pk) for photo in photos):
        raise ClaimError(_("One of the photos belongs elsewhere; upload it again."))
    if Claim.objects.filter(order_line=line, status__in=OPEN_STATUS_VALUES).exists():
        raise NotEligible(_("This item already has an open claim; follow it on its page."))
    # RP5: the units refused under this kind stay refused to the customer; the line's others do not.
    refused = 0 if actor.is_staff else refused_units(line, request.kind)
    if refused and request.quantity > claimable_quantity(line) - refused:
        raise NotEligible(
            _("A claim of this kind was already refused for this item; contact ASM care if you disagree.")
        )

    terms = current_terms()
    today = today or timezone.localdate()
    request = replace(request, order_line=line)
    payer = check_claim_request(request, photo_count=len(photos), today=today, terms=terms)
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                kind=request.kind,
                order_line=line,
                quantity=request.quantity,
                return_reason=request.return_reason or "",
                defect_category=request.defect_category or "",
                description=request.description.strip(),
                **declared_columns(request.declaration),
                shipping_payer=payer,
                policy_terms=terms.as_snapshot(),
                filed_by=actor if actor.is_staff else None,
            )
    except IntegrityError as error:  # claim_one_open_per_order_line, raced by a double submit
        raise NotEligible(_("This item already has an open claim; follow it on its page.")) from error
    claim.rma_number = f"RMA-{timezone.localdate(claim.submitted_at).year}-{claim.pk:06d}"
    claim.save(update_fields=["rma_number"])
    ClaimPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).update(claim=claim)
    event = events.claim_submitted(claim=claim, actor=actor, shipping_payer=payer)
    record_claim_event(claim=claim, claim_event=event)
    _notify_customer(claim=claim, template_key="submitted", event=event)
    return claim


# --- Review ---------------------------------------------------------------------


@transaction.atomic
def request_info(*, claim: Claim, actor: User, question: str) -> Claim:
    """Care asks the customer a question; the claim waits for the answer."""
    _require(actor, permissions.REVIEW)
    if not question.strip():
        raise ClaimError(_("Write the question for the customer."), field_errors={"question": _("Required.")})
    claim = _change_status(
        claim=claim,
        to=Status.INFO_REQUESTED,
        actor=actor,
        action=_("sent a question"),
        changes={"info_requested_at": timezone.now(), "info_reminder_sent_at": None},
        note=question.strip(),
        notify="info_requested",
        notify_context={"question": question.strip()},
    )
    Message.objects.create(claim=claim, author=actor, kind=Message.Kind.QUESTION, body=question.strip())
    return claim


@transaction.atomic
def answer_info_request(
    *, claim: Claim, actor: User, answer: str, photos: Sequence[ClaimPhoto] = ()
) -> Claim:
    """The customer answers care's question; the claim goes back to review."""
    _ensure_owner_or_care(claim, actor)
    if not answer.strip():
        raise ClaimError(_("Write your answer."), field_errors={"answer": _("Required.")})
    # As when filing: only the customer's (or the answering staff member's) own unattached uploads.
    if any(
        photo.claim_id is not None or photo.owner_id not in (claim.order_line.order.customer_id, actor.pk)
        for photo in photos
    ):
        raise ClaimError(_("One of the photos belongs elsewhere; upload it again."))

    def room_for_the_photos(locked: Claim) -> None:
        if locked.photos.count() + len(photos) > MAX_PHOTOS_PER_CLAIM:
            raise ClaimError(
                _("At most %(count)d photos per claim.") % {"count": MAX_PHOTOS_PER_CLAIM},
                field_errors={"photos": _("Too many photos.")},
            )

    claim = _change_status(
        claim=claim,
        to=Status.SUBMITTED,
        actor=actor,
        action=_("answered"),
        guard=room_for_the_photos,
        note=answer.strip(),
    )
    Message.objects.create(claim=claim, author=actor, kind=Message.Kind.ANSWER, body=answer.strip())
    ClaimPhoto.objects.filter(pk__in=[photo.pk for photo in photos], claim__isnull=True).update(
        claim=claim, stage=ClaimPhoto.Stage.ANSWER
    )
    return claim


@transaction.atomic
def add_internal_note(*, claim: Claim, actor: User, body: str) -> Message:
    """A note between staff; the customer never sees it."""
    _require(actor, permissions.VIEW_CLAIM)
    if not body.strip():
        raise ClaimError(_("Write the note."), field_errors={"body": _("Required.")})
    message = Message.objects.create(
        claim=claim, author=actor, kind=Message.Kind.INTERNAL_NOTE, body=body.strip()
    )
    events.internal_note_added(claim=claim, actor=actor, body=body.strip())
    return message


def approve_claim(
    *,
    claim: Claim,
    actor: User,
    shipping_payer: ShippingPayer | None = None,
    payer_override_reason: str = "",
) -> Claim:
    """Approve with shipping instructions: the destination follows the kind, the payer the reason (R6).

    Care may override the computed payer, with a reason. The payer is compared
    with the claim's as it stands on the locked row.
    """
    _require(actor, permissions.REVIEW)
    payer = ShippingPayer(shipping_payer or claim.shipping_payer)

    def reason_for_an_override(locked: Claim) -> None:
        if payer != locked.shipping_payer and not payer_override_reason.strip():
            raise ClaimError(
                _("Say why the shipping payer differs from the policy."),
                field_errors={"payer_override_reason": _("Required when you change who pays.")},
            )

    overridden = bool(payer_override_reason.strip()) and payer != claim.shipping_payer
    destination = claim_destination(claim)
    changes: dict[str, Any] = {"approved_at": timezone.now(), "shipping_payer": payer}
    if overridden:
        changes["shipping_payer_note"] = payer_override_reason.strip()
    claim = _change_status(
        claim=claim,
        to=Status.APPROVED,
        actor=actor,
        action=_("approved"),
        guard=reason_for_an_override,
        changes=changes,
        note=payer_override_reason.strip(),
        data={"shipping_payer": payer, "payer_overridden": overridden, "destination": destination},
        notify="approved",
        notify_context={"destination": destination, "shipping_payer": payer},
    )
    return claim


def reject_claim(*, claim: Claim, actor: User, reason: RejectReason, message: str) -> Claim:
    """Reject with a structured reason and a message the customer reads."""
    _require(actor, permissions.REVIEW)
    if not message.strip():
        raise ClaimError(
            _("Write a message explaining the decision to the customer."),
            field_errors={"message": _("Required.")},
        )
    reason = RejectReason(reason)
    claim = _change_status(
        claim=claim,
        to=Status.REJECTED,
        actor=actor,
        action=_("rejected"),
        changes={"reject_reason": reason, "outcome_note": message.strip(), "closed_at": timezone.now()},
        note=message.strip(),
        data={"reason": reason},
        notify="rejected",
        notify_context={"reason": str(reason.label), "message": message.strip()},
    )
    return claim


# --- Shipping -------------------------------------------------------------------


def _not_shipped(claim: Claim) -> None:
    if claim.shipped_on is not None:
        raise InvalidTransition(
            _("The parcel was marked shipped on %(day)s; contact care to stop the claim.")
            % {"day": date_format(claim.shipped_on)}
        )


@transaction.atomic
def mark_shipped(
    *, claim: Claim, actor: User, shipped_on: date, carrier: str = "", tracking_number: str = ""
) -> Claim:
    """The customer says the parcel left (RP3, WP3): recorded on the approved claim, not a status."""
    _ensure_owner_or_care(claim, actor)
    locked = _lock(claim)
    if locked.status != Status.APPROVED:
        raise InvalidTransition(
            _("Only an approved claim can be marked shipped; this one is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    _not_shipped(locked)
    _check_parcel_date(
        shipped_on,
        claim=locked,
        field="shipped_on",
        before_approval=_("The parcel cannot have left before the claim was approved on %(day)s."),
    )
    locked.shipped_on = shipped_on
    locked.carrier = carrier.strip()
    locked.tracking_number = tracking_number.strip()
    locked.save(update_fields=["shipped_on", "carrier", "tracking_number", "updated_at"])
    event = events.parcel_shipped(claim=locked, actor=actor)
    _notify_customer(claim=locked, template_key="shipped", event=event)
    claim.refresh_from_db()
    return claim


def cancel_claim(*, claim: Claim, actor: User) -> Claim:
    """The customer withdraws the claim, possible only before the parcel ships."""
    _ensure_owner_or_care(claim, actor)
    claim = _change_status(
        claim=claim,
        to=Status.CANCELLED,
        actor=actor,
        action=_("cancelled"),
        guard=_not_shipped,
        changes={"closed_at": timezone.now()},
        notify="cancelled",
    )
    return claim


def expire_claim(*, claim: Claim, why: str) -> Claim:
    """The system closes a claim never shipped or never answered within the policy's period."""
    claim = _change_status(
        claim=claim,
        to=Status.EXPIRED,
        actor=None,
        action=_("expired"),
        guard=_not_shipped,
        changes={"closed_at": timezone.now()},
        note=why,
        notify="expired",
        notify_context={"why": why},
    )
    return claim


# --- Warehouse ------------------------------------------------------------------


@transaction.atomic
def receive_claim(*, claim: Claim, actor: User, received_on: date | None = None) -> Claim:
    """The parcel arrived: day 0 of the RP4 / WP4 clock; target and deadline are fixed now.

    The day is no later than today and no earlier than the approval: a parcel
    received "before" it would start a clock whose target had already passed.
    """
    _require(actor, permissions.RECEIVE)
    received_on = received_on or timezone.localdate()
    locked = _lock(claim)
    if can_transition(locked.status, Status.RECEIVED):
        _check_parcel_date(
            received_on,
            claim=locked,
            field="received_on",
            before_approval=_("The parcel cannot have arrived before the claim was approved on %(day)s."),
        )
    terms = _terms_of(locked)
    if claim.kind == ClaimKind.RETURN:
        target_days, deadline_days = terms.refund_target_business_days, terms.refund_deadline_business_days
    else:
        target_days, deadline_days = terms.repair_target_business_days, terms.repair_deadline_business_days
    dates = promised_dates(
        received_on,
        target_days=target_days,
        deadline_days=deadline_days,
        calendar=load_business_calendar(around=received_on),
    )
    claim = _change_status(
        claim=claim,
        to=Status.RECEIVED,
        actor=actor,
        action=_("marked received"),
        changes={
            "received_at": timezone.now(),
            "target_on": dates.target_on,
            "deadline_on": dates.deadline_on,
        },
        data={
            "received_on": received_on.isoformat(),
            "target_on": dates.target_on.isoformat(),
            "deadline_on": dates.deadline_on.isoformat(),
        },
        notify="received",
        notify_context={
            "target_on": dates.target_on.isoformat(),
            "deadline_on": dates.deadline_on.isoformat(),
        },
    )
    return claim


@dataclass(frozen=True)
class InspectionFindings:
    found_intact_unused_packaged: bool
    found_no_user_damage: bool
    found_all_accessories_included: bool
    signs_of_user_damage: bool
    signs_of_third_party_repair: bool
    defect_confirmed: bool
    shipping_damage_confirmed: bool


def declaration_mismatches(claim: Claim, findings: InspectionFindings) -> list[str]:
    """The points where the inspection contradicts what the customer declared."""
    return contradicted_clauses(claim.kind, declaration_of(claim), findings)


@transaction.atomic
def record_inspection(
    *,
    claim: Claim,
    actor: User,
    findings: InspectionFindings,
    notes: str = "",
    photos: Sequence[ClaimPhoto] = (),
) -> Claim:
    """Record what was found; differences from the declaration are flagged for care staff."""
    _require(actor, permissions.INSPECT)
    mismatches = declaration_mismatches(claim, findings)
    owes_shipping = asm_owes_shipping(
        defect_confirmed=findings.defect_confirmed,
        shipping_damage_confirmed=findings.shipping_damage_confirmed,
    )
    claim = _change_status(
        claim=claim,
        to=Status.INSPECTED,
        actor=actor,
        action=_("inspected"),
        changes={"inspected_at": timezone.now()},
        note=notes.strip(),
        data={**findings.__dict__, "mismatches": mismatches, "asm_owes_shipping": owes_shipping},
        notify="inspected",
        notify_context={"mismatches": mismatches},
    )
    Inspection.objects.create(
        claim=claim, inspector=actor, notes=notes.strip(), mismatches=mismatches, **findings.__dict__
    )
    ClaimPhoto.objects.filter(pk__in=[photo.pk for photo in photos], claim__isnull=True).update(
        claim=claim, stage=ClaimPhoto.Stage.INSPECTION
    )
    return claim


# --- Outcome --------------------------------------------------------------------

OUTCOMES_BY_KIND: dict[str, frozenset[Outcome]] = {
    ClaimKind.RETURN: frozenset({Outcome.REFUND, Outcome.RETURNED_TO_CUSTOMER}),
    ClaimKind.WARRANTY: frozenset({Outcome.REPLACEMENT, Outcome.REPAIR, Outcome.RETURNED_TO_CUSTOMER}),
}


def resolve_claim(
    *,
    claim: Claim,
    actor: User,
    outcome: Outcome,
    note: str = "",
    refund_amount: Decimal | None = None,
    payment_reference: str = "",
    shipping_reimbursement: Decimal | None = None,
) -> Claim:
    """Decide the outcome after inspection (RP4, RP5, WP4).

    A refund needs its amount and payment reference; returning the item needs
    the reason the customer is told (RP5). Shipping the customer paid is
    reimbursed only where inspection confirmed ASM owed it (R6).
    """
    _require(actor, permissions.DECIDE_OUTCOME)
    outcome = Outcome(outcome)

    def check_outcome(locked: Claim) -> None:
        # On the locked row: the inspection and the payer are read as they stand now.
        errors: dict[str, str] = {}
        if outcome not in OUTCOMES_BY_KIND[locked.kind]:
            errors["outcome"] = _("This outcome does not apply to a %(kind)s.") % {
                "kind": locked.get_kind_display()
            }
        if outcome == Outcome.REFUND:
            if refund_amount is None or refund_amount <= 0:
                errors["refund_amount"] = _("Enter the amount refunded.")
            if not payment_reference.strip():
                errors["payment_reference"] = _("Enter the payment reference.")
        if outcome == Outcome.RETURNED_TO_CUSTOMER and not note.strip():
            errors["note"] = _("Tell the customer why the item is sent back (RP5).")
        if shipping_reimbursement is not None:
            if shipping_reimbursement <= 0:
                errors["shipping_reimbursement"] = _("Enter a positive amount, or leave it empty.")
            elif outcome == Outcome.RETURNED_TO_CUSTOMER or not shipping_reimbursable(locked):
                errors["shipping_reimbursement"] = _(
                    "Shipping is reimbursed only when the customer paid it and inspection "
                    "confirmed a defect or shipping damage (R6)."
                )
        if errors:
            raise ClaimError(_("Please correct the errors below."), field_errors=errors)

    claim = _change_status(
        claim=claim,
        to=Status.RESOLVED,
        actor=actor,
        action=_("resolved"),
        guard=check_outcome,
        changes={
            "outcome": outcome,
            "outcome_note": note.strip(),
            "refund_amount": refund_amount if outcome == Outcome.REFUND else None,
            "payment_reference": payment_reference.strip() if outcome == Outcome.REFUND else "",
            "shipping_reimbursement": shipping_reimbursement,
            "closed_at": timezone.now(),
        },
        note=note.strip(),
        data={
            "outcome": outcome,
            "refund_amount": str(refund_amount)
            if refund_amount is not None and outcome == Outcome.REFUND
            else None,
            "shipping_reimbursement": str(shipping_reimbursement)
            if shipping_reimbursement is not None
            else None,
        },
        notify="resolved",
        notify_context={"outcome": outcome, "note": note.strip()},
    )
    return claim


# --- Deadlines: the system's own steps ---------------------------------------------
#
# The deadline sweep (``claims.deadlines``) decides when; these write. Each acts
# once per claim and event: it sets the claim's ``*_sent_at`` column with
# ``UPDATE … WHERE column IS NULL`` in the transaction that records the email,
# so two sweeps, at once or one after the other, never both act.


def _email_once(
    *,
    claim: Claim,
    column: str,
    now: datetime,
    still: Q,
    emails: dict[str, str],
    context: dict[str, str],
    occasion: str = "",
) -> bool:
    """Set ``column`` if it is empty and the claim is still in the state ``still`` describes, and
    record each email (template → recipient); False, writing nothing, if the column was set.
    ``occasion`` tells apart the emails of one claim that may be sent more than once.

    A concurrent sweep's UPDATE waits for this one's row lock, then finds the column set.
    """
    matched = Claim.objects.filter(still, pk=claim.pk, **{f"{column}__isnull": True}).update(**{column: now})
    if matched != 1:
        return False
    for template_key, recipient in emails.items():
        record_notification(
            template_key=template_key,
            recipient=recipient,
            unique_key=f"{template_key}:{claim.pk}{occasion}",
            claim=claim,
            context=context,
        )
    return True


def _promised_dates(claim: Claim) -> dict[str, str]:
    return {"target_on": str(claim.target_on), "deadline_on": str(claim.deadline_on)}


@transaction.atomic
def alert_target_passed(*, claim: Claim, now: datetime) -> bool:
    """RP4 / WP4 target date reached: the care staff on duty hear of it. False if already done."""
    if not _email_once(
        claim=claim,
        column="target_alert_sent_at",
        now=now,
        still=Q(status__in=CLOCK_STATUSES),
        emails={"target_passed": settings.ASM_CARE_STAFF_EMAIL},
        context=_promised_dates(claim),
    ):
        return False
    events.target_passed(claim=claim)
    return True


@transaction.atomic
def alert_deadline_missed(*, claim: Claim, now: datetime) -> bool:
    """RP4 / WP4 deadline missed: the managers are told, and the customer gets a delay notice."""
    if not _email_once(
        claim=claim,
        column="deadline_alert_sent_at",
        now=now,
        still=Q(status__in=CLOCK_STATUSES),
        emails={
            "deadline_missed": settings.ASM_CARE_MANAGERS_EMAIL,
            "delay_notice": claim.order_line.order.customer.email,
        },
        context=_promised_dates(claim),
    ):
        return False
    events.deadline_missed(claim=claim)
    return True


@transaction.atomic
def remind_to_ship(*, claim: Claim, now: datetime, expires_on: date) -> bool:
    """An approved claim not shipped: the customer is reminded once before it expires."""
    if not _email_once(
        claim=claim,
        column="ship_reminder_sent_at",
        now=now,
        still=Q(status=Status.APPROVED, shipped_on__isnull=True),
        emails={"ship_reminder": claim.order_line.order.customer.email},
        context={"expires_on": str(expires_on)},
    ):
        return False
    events.ship_reminder_sent(claim=claim, expires_on=expires_on)
    return True


@transaction.atomic
def remind_to_answer(*, claim: Claim, now: datetime, expires_on: date) -> bool:
    """A question not answered: the customer is reminded once per question before it expires.

    A new question resets the column (``request_info``) and gets a reminder of its own.
    """
    question = (
        Message.objects.filter(claim=claim, kind=Message.Kind.QUESTION).order_by("-created_at", "-pk").first()
    )
    asked_at = claim.info_requested_at
    if asked_at is None or not _email_once(
        claim=claim,
        column="info_reminder_sent_at",
        now=now,
        still=Q(status=Status.INFO_REQUESTED, info_requested_at=asked_at),
        emails={"info_reminder": claim.order_line.order.customer.email},
        context={"question": question.body if question else "", "expires_on": str(expires_on)},
        occasion=f":{asked_at.timestamp():.0f}",
    ):
        return False
    events.info_reminder_sent(claim=claim, expires_on=expires_on)
    return True
