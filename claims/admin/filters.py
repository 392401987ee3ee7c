"""The care queue's filters that are not plain fields: flags derived from the dates and the inspection."""

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.lifecycle import Status
from claims.models import OPEN_STATUS_VALUES, Claim
from claims.selectors import due_soon, overdue


class DeadlineFilter(admin.SimpleListFilter):
    """PRODUCT.md: due soon when today ≥ target and still open; overdue when today > deadline."""

    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("due_soon", _("Due soon")), ("overdue", _("Overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Claim]) -> QuerySet[Claim]:
        today = timezone.localdate()
        if self.value() == "due_soon":
            return queryset.filter(due_soon(today))
        if self.value() == "overdue":
            return queryset.filter(overdue(today))
        return queryset


class MismatchFilter(admin.SimpleListFilter):
    """Claims whose inspection contradicts the customer's declaration, for care to look at first."""

    title = _("inspection vs declaration")
    parameter_name = "mismatch"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Differs from the declaration")), ("no", _("Matches"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Claim]) -> QuerySet[Claim]:
        differs = Q(inspection__isnull=False) & ~Q(inspection__mismatches=[])
        if self.value() == "yes":
            return queryset.filter(differs)
        if self.value() == "no":
            return queryset.filter(inspection__isnull=False).exclude(differs)
        return queryset


class StageFilter(admin.SimpleListFilter):
    """The queues: what waits for care, for the customer, for the warehouse."""

    title = _("queue")
    parameter_name = "queue"
    QUEUES: dict[str, tuple[Any, list[str]]] = {
        "open": (_("All open claims"), OPEN_STATUS_VALUES),
        "care": (_("Waiting for care"), [Status.SUBMITTED, Status.INSPECTED]),
        "customer": (_("Waiting for the customer"), [Status.INFO_REQUESTED, Status.APPROVED]),
        "warehouse": (_("Waiting for the warehouse"), [Status.RECEIVED]),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(key, label) for key, (label, _statuses) in self.QUEUES.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Claim]) -> QuerySet[Claim]:
        queue = self.QUEUES.get(self.value() or "")
        return queryset.filter(status__in=queue[1]) if queue else queryset
