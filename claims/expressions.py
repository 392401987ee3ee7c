"""SQL expressions over a claim's own columns, shared by the queue's queries and its indexes.

They live apart from ``claims.selectors`` so that ``claims.models`` can index
them without importing the selectors (which import the models).
"""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Case, DateField, F, Func, IntegerField, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate
from django.db.models.sql.compiler import SQLCompiler

from claims.lifecycle import Status


class AddDays(Func):
    """``date + days`` where ``days`` comes from each row (PostgreSQL adds integers to dates)."""

    arity = 2
    output_field = DateField()
    template = "(%(expressions)s)"
    arg_joiner = " + "

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        day_sql, day_params = compiler.compile(self.source_expressions[0])
        days_sql, days_params = compiler.compile(self.source_expressions[1])
        return f"date({day_sql}, ({days_sql}) || ' days')", (*day_params, *days_params)


def _snapshot_days(key: str) -> Cast:
    return Cast(KT(f"policy_terms__{key}"), IntegerField())


def next_date_expression() -> Case:
    """The next date that matters for the claim's state, per its own terms snapshot.

    The answer-by date while care waits for the customer, the ship-by date while
    approved, and the RP4 / WP4 deadline once received. Dates are local dates in
    ``TIME_ZONE``; the index ``claim_open_next_date`` holds this same expression.
    """
    return Case(
        When(
            status=Status.INFO_REQUESTED,
            then=AddDays(TruncDate("info_requested_at"), _snapshot_days("info_expiry_days")),
        ),
        When(
            status=Status.APPROVED, then=AddDays(TruncDate("approved_at"), _snapshot_days("ship_expiry_days"))
        ),
        When(status__in=[Status.RECEIVED, Status.INSPECTED], then=F("deadline_on")),
        default=None,
        output_field=DateField(),
    )
