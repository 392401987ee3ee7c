"""The claim's vocabulary: its kinds, statuses, outcomes and events, and the lifecycle of
PRODUCT.md as a table you can read at a glance. (The policy's own vocabulary, the return
reasons, defect categories and shipping payers, is ``policies.reasons``.)"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClaimKind(models.TextChoices):
    RETURN = "return", _("Return")
    WARRANTY = "warranty", _("Warranty")


class Outcome(models.TextChoices):
    REFUND = "refund", _("Refund")
    REPLACEMENT = "replacement", _("Replacement")
    REPAIR = "repair", _("Repair")
    RETURNED_TO_CUSTOMER = "returned_to_customer", _("Returned to the customer")


class RejectReason(models.TextChoices):
    OUTSIDE_WINDOW = "outside_window", _("Outside the return or warranty period")
    CONDITION_NOT_MET = "condition_not_met", _("Return conditions not met")
    USER_DAMAGE = "user_damage", _("Damage caused by use (dropping, impact, storage)")
    THIRD_PARTY_REPAIR = "third_party_repair", _("Repaired by an unauthorised third party")
    NOT_A_DEFECT = "not_a_defect", _("Not a manufacturing defect")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    INFO_REQUESTED = "info_requested", _("Information requested")
    APPROVED = "approved", _("Approved: ship the item")
    RECEIVED = "received", _("Received")
    INSPECTED = "inspected", _("Inspected")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.SUBMITTED: frozenset({Status.INFO_REQUESTED, Status.APPROVED, Status.REJECTED, Status.CANCELLED}),
    Status.INFO_REQUESTED: frozenset({Status.SUBMITTED, Status.CANCELLED, Status.EXPIRED}),
    Status.APPROVED: frozenset({Status.RECEIVED, Status.CANCELLED, Status.EXPIRED}),
    Status.RECEIVED: frozenset({Status.INSPECTED}),
    Status.INSPECTED: frozenset({Status.RESOLVED}),
    Status.RESOLVED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.EXPIRED: frozenset(),
}

CLOSED_STATUSES = frozenset({Status.RESOLVED, Status.REJECTED, Status.CANCELLED, Status.EXPIRED})
OPEN_STATUSES = frozenset(Status) - CLOSED_STATUSES
# The statuses in which the RP4 / WP4 clock runs (the parcel is in; the outcome is awaited):
# due soon and overdue are about these only. In this order in the partial indexes' conditions.
CLOCK_STATUSES = (Status.RECEIVED, Status.INSPECTED)


class ClaimEventKind(models.TextChoices):
    """What one event of the audit trail records (``claims.events`` writes each kind).

    A change of status is recorded under the status the claim reached; the
    other kinds are steps that leave the status as it is.
    """

    SUBMITTED = Status.SUBMITTED.value, Status.SUBMITTED.label
    INFO_REQUESTED = Status.INFO_REQUESTED.value, Status.INFO_REQUESTED.label
    APPROVED = Status.APPROVED.value, Status.APPROVED.label
    RECEIVED = Status.RECEIVED.value, Status.RECEIVED.label
    INSPECTED = Status.INSPECTED.value, Status.INSPECTED.label
    RESOLVED = Status.RESOLVED.value, Status.RESOLVED.label
    REJECTED = Status.REJECTED.value, Status.REJECTED.label
    CANCELLED = Status.CANCELLED.value, Status.CANCELLED.label
    EXPIRED = Status.EXPIRED.value, Status.EXPIRED.label
    SHIPPED = "shipped", _("Parcel sent to ASM")
    INTERNAL_NOTE = "internal_note", _("Internal note")
    TARGET_PASSED = "target_passed", _("Target date passed: care alerted")
    DEADLINE_MISSED = "deadline_missed", _("Deadline missed: managers alerted, customer told")
    SHIP_REMINDER = "ship_reminder", _("Customer reminded to ship")
    INFO_REMINDER = "info_reminder", _("Customer reminded to answer")


def can_transition(current: str, target: str) -> bool:
    return Status(target) in ALLOWED_TRANSITIONS[Status(current)]
