"""The warehouse's forms: receive the parcel, and inspect it against the declaration."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.admin.forms.base import ClaimStepForm, PhotosField, store_photos
from claims.models import Claim, ClaimPhoto, User
from claims.services import (
    InspectionFindings,
    receive_claim,
    record_inspection,
)
from policies.declaration import DECLARATION_POINTS, points_for


class ReceiveForm(ClaimStepForm):
    received_on = forms.DateField(
        label=gettext_lazy("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Day 0 of the RP4 / WP4 clock."),
    )

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, claim=claim, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()

    def perform(self, *, actor: User) -> str:
        claim = receive_claim(claim=self.claim, actor=actor, received_on=self.cleaned_data["received_on"])
        return _("%(rma)s received; deadline %(deadline)s.") % {
            "rma": claim.rma_number,
            "deadline": claim.deadline_on.isoformat() if claim.deadline_on else "",
        }


@dataclass(frozen=True)
class ChecklistRow:
    """One point of the declaration beside the tick box that says it holds."""

    clause: str
    declared_label: str
    declared: bool
    found: forms.BoundField


class InspectionForm(ClaimStepForm):
    """The checklist has the points of the claim's kind only, and a tick always means "holds as
    declared"; the defect and shipping damage ticks below it mean "found"."""

    defect_confirmed = forms.BooleanField(
        label=gettext_lazy("Manufacturing defect confirmed"), required=False
    )
    shipping_damage_confirmed = forms.BooleanField(
        label=gettext_lazy("Shipping damage confirmed"), required=False
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = PhotosField(label=gettext_lazy("Photos"))

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, claim=claim, **kwargs)
        self.points = points_for(claim.kind)
        for point in self.points:
            self.fields[point.check_field] = forms.BooleanField(label=point.check, required=False)

    def checklist(self) -> Iterator[ChecklistRow]:
        """Each statement of the claim's kind (R2–R4 or W4–W5), and the inspector's tick beside it."""
        for point in self.points:
            yield ChecklistRow(
                clause=point.clause,
                declared_label=str(point.summary),
                declared=getattr(self.claim, point.declared_column),
                found=self[point.check_field],
            )

    def findings(self) -> InspectionFindings:
        """The inspection's columns; those of the other kind's points are not checked, and left false."""
        data = self.cleaned_data
        columns = {point.finding_column: False for point in DECLARATION_POINTS}
        columns.update(
            {point.finding_column: point.finding(bool(data.get(point.check_field))) for point in self.points}
        )
        return InspectionFindings(
            **columns,
            defect_confirmed=data["defect_confirmed"],
            shipping_damage_confirmed=data["shipping_damage_confirmed"],
        )

    def perform(self, *, actor: User) -> str:
        data = self.cleaned_data
        findings = self.findings()
        photos = store_photos(owner=actor, uploads=data["photos"], stage=ClaimPhoto.Stage.INSPECTION)
        claim = record_inspection(
            claim=self.claim, actor=actor, findings=findings, notes=data["notes"], photos=photos
        )
        mismatches = claim.inspection.mismatches
        if mismatches:
            return _("%(rma)s inspected; differs from the declaration on %(clauses)s, flagged for care.") % {
                "rma": claim.rma_number,
                "clauses": ", ".join(mismatches),
            }
        return _("%(rma)s inspected; matches the declaration.") % {"rma": claim.rma_number}


# --- Filing for a customer (RP1, WP1) --------------------------------------------
