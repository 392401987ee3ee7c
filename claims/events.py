"""The audit trail: one constructor per kind of event (as Saleor's ``order/events.py``).

Only the claim services call these, inside the transaction of the change they
record. Each event names its actor (``None``: the system, e.g. the deadline
sweep) and, for a change of status, the old and the new value of every column
the step wrote.
"""

import json
from datetime import date
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from claims.lifecycle import ClaimEventKind, Status
from claims.models import Claim, ClaimEvent, User
from policies.reasons import ShippingPayer


def _as_recorded(value: Any) -> Any:
    """A column's value as the trail's JSON holds it: dates, times and amounts as text."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _event(
    claim: Claim,
    kind: ClaimEventKind,
    *,
    actor: User | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    customer_visible: bool = True,
    from_status: str = "",
    to_status: str = "",
) -> ClaimEvent:
    return ClaimEvent.objects.create(
        claim=claim,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=_as_recorded(data or {}),
        customer_visible=customer_visible,
    )


def claim_submitted(*, claim: Claim, actor: User, shipping_payer: ShippingPayer) -> ClaimEvent:
    return _event(
        claim,
        ClaimEventKind.SUBMITTED,
        actor=actor,
        to_status=Status.SUBMITTED,
        data={"filed_by_staff": actor.is_staff, "shipping_payer": shipping_payer},
    )


def status_changed(
    *,
    claim: Claim,
    actor: User | None,
    from_status: str,
    changes: dict[str, tuple[Any, Any]],
    note: str = "",
    data: dict[str, Any] | None = None,
    customer_visible: bool = True,
) -> ClaimEvent:
    """``claim`` has reached its new status; ``changes`` maps each column the step wrote to (old, new)."""
    return _event(
        claim,
        ClaimEventKind(claim.status),
        actor=actor,
        from_status=from_status,
        to_status=claim.status,
        note=note,
        data={
            **(data or {}),
            "changes": {name: {"old": old, "new": new} for name, (old, new) in changes.items()},
        },
        customer_visible=customer_visible,
    )


def parcel_shipped(*, claim: Claim, actor: User) -> ClaimEvent:
    return _event(
        claim,
        ClaimEventKind.SHIPPED,
        actor=actor,
        data={
            "shipped_on": claim.shipped_on,
            "carrier": claim.carrier,
            "tracking_number": claim.tracking_number,
        },
    )


def internal_note_added(*, claim: Claim, actor: User, body: str) -> ClaimEvent:
    return _event(claim, ClaimEventKind.INTERNAL_NOTE, actor=actor, note=body, customer_visible=False)


def _sweep_record(claim: Claim, kind: ClaimEventKind, data: dict[str, Any]) -> ClaimEvent:
    """A step of the deadline sweep: the system's, and a staff-side record."""
    return _event(claim, kind, actor=None, data=data, customer_visible=False)


def target_passed(*, claim: Claim) -> ClaimEvent:
    """RP4 / WP4: the target date is reached; care staff were alerted."""
    promised = {"target_on": claim.target_on, "deadline_on": claim.deadline_on}
    return _sweep_record(claim, ClaimEventKind.TARGET_PASSED, promised)


def deadline_missed(*, claim: Claim) -> ClaimEvent:
    """RP4 / WP4: the deadline passed; managers were alerted and the customer told of the delay."""
    promised = {"target_on": claim.target_on, "deadline_on": claim.deadline_on}
    return _sweep_record(claim, ClaimEventKind.DEADLINE_MISSED, promised)


def ship_reminder_sent(*, claim: Claim, expires_on: date) -> ClaimEvent:
    return _sweep_record(claim, ClaimEventKind.SHIP_REMINDER, {"expires_on": expires_on})


def info_reminder_sent(*, claim: Claim, expires_on: date) -> ClaimEvent:
    return _sweep_record(claim, ClaimEventKind.INFO_REMINDER, {"expires_on": expires_on})
