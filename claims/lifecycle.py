"""The claim lifecycle of PRODUCT.md, as a table you can read at a glance."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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


def can_transition(current: str, target: str) -> bool:
    return Status(target) in ALLOWED_TRANSITIONS[Status(current)]
