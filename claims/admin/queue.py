"""The care queue's rows, written by one purpose-built renderer instead of the admin's per-cell path.

Django's ``items_for_result`` finds, formats and escapes every cell of every
row through the generic machinery (``lookup_field``, ``display_for_value``,
a ``resolve()`` of each row's link when filters are in the address), and a
template would resolve, localize and escape each cell again: together most
of the page's cost with 50 rows. Here what every row shares (the choice
labels, the link with its preserved filters, today) is worked out once per
page, and each row is one string with each value escaped once. The column
headers, with their sorting links, are still Django's own
(``admin/claims/claim/queue_rows.html``); the next date and the inspection
cells are the same as on the claim page.
"""

from collections.abc import Mapping
from datetime import date
from html import escape
from typing import Any

from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from asm_portal.admin_input import CheckedChangeList
from claims.admin.display import date_flag
from claims.lifecycle import ClaimKind, Status
from claims.links import link_for_each
from policies.reasons import ShippingPayer

# The columns the rows are written with, in order: the queue's list_display.
# Fitted to 1280 px beside the filters: the kind is under the RMA number, the customer under the product.
COLUMNS = (
    "rma_number",
    "item",
    "status",
    "inspection_flag",
    "age",
    "next_date",
    "shipping_payer",
)
# What the rows read, and no more, as plain values: a claim row is wide (the declaration,
# the policy snapshot), and building six model instances per row would cost more than the row.
ROW_FIELDS = [
    "pk",
    "rma_number",
    "kind",
    "status",
    "submitted_at",
    "shipping_payer",
    "target_on",
    "deadline_on",
    "next_date_on",
    "order_line__order__customer__email",
    "order_line__product__name",
    "inspection__mismatches",
]
# What a claim's next date is, by status.
NEXT_DATE_LABELS = {
    Status.INFO_REQUESTED: gettext_lazy("answer by"),
    Status.APPROVED: gettext_lazy("ship by"),
    Status.RECEIVED: gettext_lazy("deadline"),
    Status.INSPECTED: gettext_lazy("deadline"),
}


class QueueChangeList(CheckedChangeList):
    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        # The page's rows (a slice not read yet) as values. The count was made on the claims
        # themselves (no joins), and an action still gets whole claims (``get_queryset``).
        self.result_list = self.result_list.values_list(*ROW_FIELDS, named=True)


def age_in_days(days: int) -> str:
    """A claim's age, as the queue shows it: "3 days"."""
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


def next_date_cell(
    *,
    status: str,
    next_on: date | None,
    target_on: date | None,
    deadline_on: date | None,
    today: date,
    labels: Mapping[str, str],
) -> SafeString | str:
    """The answer-by date, the ship-by date while approved, the deadline once received, flagged if late."""
    if next_on is None:
        return "—"
    flag = date_flag(
        status=status, next_date=next_on, target_on=target_on, deadline_on=deadline_on, today=today
    )
    label = escape(labels.get(status, ""))
    # The label is escaped; the flag is a class name of ours; the date is digits.
    return mark_safe(f'<span class="asm-date {flag}">{label} {next_on.isoformat()}</span>')  # noqa: S308  # nosec B308 B703


def next_date_labels() -> dict[str, str]:
    return {status: str(label) for status, label in NEXT_DATE_LABELS.items()}


def inspection_cell(mismatches: list[str] | None) -> SafeString | str:
    """Whether the inspection (None: none yet) found what the customer declared; what differs in red."""
    if mismatches is None:
        return "—"
    if mismatches:
        differs = escape(_("Differs from the declaration:"))
        clauses = escape(", ".join(mismatches))
        return mark_safe(f'<strong class="asm-mismatch">{differs} {clauses}</strong>')  # noqa: S308  # nosec B308 B703
    return _("Matches the declaration")


def queue_context(cl: ChangeList) -> dict[str, Any]:
    """The context of ``admin/claims/claim/queue_rows.html`` for the page of claims ``cl`` holds."""
    headers = list(result_headers(cl))
    write = _RowWriter(cl)
    return {
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sort_priority"]),
        # Each value in a row is escaped as the row is written (``_RowWriter``).
        "rows": mark_safe("\n".join(write(row) for row in cl.result_list)),  # noqa: S308  # nosec B308 B703
    }


class _RowWriter:
    """What every row shares, worked out once per page: labels, the link's shape, today, the ages said."""

    def __init__(self, cl: ChangeList) -> None:
        self.has_checkbox = "action_checkbox" in cl.list_display
        # Django's row checkbox (ModelAdmin.action_checkbox), the same markup for its actions script.
        self.checkbox_label = _("Select this object for an action - {}")
        self.checkbox_name = escape(helpers.ACTION_CHECKBOX_NAME)
        self.labels = {
            name: {str(value): escape(str(label)) for value, label in choices.choices}
            for name, choices in (("kind", ClaimKind), ("status", Status), ("shipping_payer", ShippingPayer))
        }
        self.next_date_labels = next_date_labels()
        # Each row's link keeps the queue's filters, as Django's rows do.
        filters = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, "")
        self.change_url = link_for_each("admin:claims_claim_change", query=filters)
        self.zone = timezone.get_current_timezone()
        self.today = timezone.localdate()
        self.ages: dict[int, str] = {}

    def age(self, row: Any) -> str:
        days = (self.today - row.submitted_at.astimezone(self.zone).date()).days
        if days not in self.ages:
            self.ages[days] = escape(age_in_days(days))
        return self.ages[days]

    def checkbox(self, row: Any) -> str:
        if not self.has_checkbox:
            return ""
        label = escape(self.checkbox_label.format(row.rma_number))
        return (
            f'<td class="action-checkbox"><input type="checkbox" name="{self.checkbox_name}" '
            f'value="{row.pk}" class="action-select" aria-label="{label}"></td>'
        )

    def __call__(self, row: Any) -> str:
        """One row of ``ROW_FIELDS`` values, as a table row."""
        kind, status, payer = self.labels["kind"], self.labels["status"], self.labels["shipping_payer"]
        next_date = next_date_cell(
            status=row.status,
            next_on=row.next_date_on,
            target_on=row.target_on,
            deadline_on=row.deadline_on,
            today=self.today,
            labels=self.next_date_labels,
        )
        cells = [
            self.checkbox(row),
            f'<th class="field-rma_number"><a href="{escape(self.change_url(row.pk))}">'
            f"{escape(row.rma_number)}</a>"
            f'<span class="asm-sub">{kind.get(row.kind) or escape(row.kind)}</span></th>',
            f'<td class="field-item">{escape(row.order_line__product__name)}'
            f'<span class="asm-sub">{escape(row.order_line__order__customer__email)}</span></td>',
            f'<td class="field-status">{status.get(row.status) or escape(row.status)}</td>',
            f'<td class="field-inspection_flag">{_escaped(inspection_cell(row.inspection__mismatches))}</td>',
            f'<td class="field-age">{self.age(row)}</td>',
            f'<td class="field-next_date">{_escaped(next_date)}</td>',
            f'<td class="field-shipping_payer">{payer.get(row.shipping_payer) or "—"}</td>',
        ]
        return f"<tr>{''.join(cells)}</tr>"


def _escaped(value: SafeString | str) -> str:
    return value if isinstance(value, SafeString) else escape(value)
