"""The back office's step forms: each parses its input and calls one claim service in ``perform``.

A service's refusal (``ClaimError``) propagates to the view, which shows its
message and puts its ``field_errors`` next to the fields.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.models import Claim, ClaimKind, ClaimPhoto, OrderLine, Outcome, RejectReason, User
from claims.photo_input import MultiplePhotoInput
from claims.photos import PhotoRejected, check_request_pixels, store_photo
from claims.selectors import (
    claim_destination,
    claimable_quantity,
    eligibility_as_filed,
    shipping_reimbursable,
)
from claims.services import (
    MAX_PHOTOS_PER_CLAIM,
    OUTCOMES_BY_KIND,
    ClaimRequest,
    InspectionFindings,
    add_internal_note,
    approve_claim,
    receive_claim,
    record_inspection,
    reject_claim,
    request_info,
    resolve_claim,
    submit_claim,
)
from policies.declaration import DECLARATION_POINTS, declaration_from, points_for
from policies.reasons import DefectCategory, ReturnReason, ShippingPayer


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked by the photo pipeline when stored."""

    widget = MultiplePhotoInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        if len(uploads) > MAX_PHOTOS_PER_CLAIM:
            raise forms.ValidationError(
                _("At most %(count)d photos per claim.") % {"count": MAX_PHOTOS_PER_CLAIM}
            )
        cleaned = [super(PhotosField, self).clean(upload, initial) for upload in uploads]
        try:
            check_request_pixels(cleaned)
        except PhotoRejected as rejection:
            raise forms.ValidationError(rejection.message) from None
        return cleaned


def store_photos(
    *, owner: User, uploads: Sequence[UploadedFile], stage: ClaimPhoto.Stage
) -> list[ClaimPhoto]:
    """Store each upload as a draft photo; a rejected file raises ``PhotoRejected`` (a ``ClaimError``)."""
    return [store_photo(owner=owner, upload=upload, stage=stage) for upload in uploads]


class ClaimStepForm(forms.Form):
    """A form for one step on one claim; ``perform`` calls the service and returns the success message."""

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.claim = claim

    def perform(self, *, actor: User) -> str:
        raise NotImplementedError


class RequestInfoForm(ClaimStepForm):
    question = forms.CharField(
        label=gettext_lazy("Question for the customer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Sent by email; the claim waits for the answer."),
    )

    def perform(self, *, actor: User) -> str:
        request_info(claim=self.claim, actor=actor, question=self.cleaned_data["question"])
        return _("Question sent to the customer of %(rma)s.") % {"rma": self.claim.rma_number}


class ApproveForm(ClaimStepForm):
    shows_destination = True
    shipping_payer = forms.ChoiceField(
        label=gettext_lazy("Shipping paid by (R6)"), choices=ShippingPayer.choices, widget=forms.RadioSelect
    )
    payer_override_reason = forms.CharField(
        label=gettext_lazy("Why the payer differs from the policy"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Required only when you change who pays."),
    )

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, claim=claim, **kwargs)
        self.fields["shipping_payer"].initial = claim.shipping_payer
        self.fields["shipping_payer"].help_text = _("The policy says: %(payer)s, for “%(reason)s”.") % {
            "payer": claim.get_shipping_payer_display(),
            "reason": claim.get_return_reason_display() or claim.get_defect_category_display(),
        }

    @property
    def destination(self) -> str:
        """RP3 / WP3: returns go to the warehouse, warranty claims to the warranty center; empty while
        that address was never set."""
        return claim_destination(self.claim)

    def perform(self, *, actor: User) -> str:
        approve_claim(
            claim=self.claim,
            actor=actor,
            shipping_payer=ShippingPayer(self.cleaned_data["shipping_payer"]),
            payer_override_reason=self.cleaned_data["payer_override_reason"],
        )
        return _("%(rma)s approved; the customer has the shipping instructions.") % {
            "rma": self.claim.rma_number
        }


class RejectForm(ClaimStepForm):
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=RejectReason.choices)
    message = forms.CharField(
        label=gettext_lazy("Message to the customer"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, claim=claim, **kwargs)
        verdict = eligibility_as_filed(claim)
        if not verdict.eligible:
            # A starting point taken from the verdict as filed; care edits it.
            self.fields["reason"].initial = (
                RejectReason.CONDITION_NOT_MET if verdict.problems else RejectReason.OUTSIDE_WINDOW
            )
            self.fields["message"].initial = verdict.reason

    def perform(self, *, actor: User) -> str:
        reject_claim(
            claim=self.claim,
            actor=actor,
            reason=RejectReason(self.cleaned_data["reason"]),
            message=self.cleaned_data["message"],
        )
        return _("%(rma)s rejected; the customer was told why.") % {"rma": self.claim.rma_number}


class ResolveForm(ClaimStepForm):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), widget=forms.RadioSelect)
    refund_amount = forms.DecimalField(
        label=gettext_lazy("Refund amount"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    payment_reference = forms.CharField(
        label=gettext_lazy("Payment reference"), required=False, max_length=120
    )
    shipping_reimbursement = forms.DecimalField(
        label=gettext_lazy("Shipping reimbursed (R6)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy(
            "Inspection confirmed a defect or shipping damage, but the customer paid the shipping."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the customer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Required when the item is returned to the customer: say why (RP5, W4, W5)."),
    )

    # The fields that apply only to some outcomes: a refund's amount and reference; the shipping
    # reimbursement (R6) to any outcome but sending the item back (RP5).
    APPLIES_TO: dict[str, tuple[str, ...]] = {
        "refund_amount": (Outcome.REFUND,),
        "payment_reference": (Outcome.REFUND,),
        "shipping_reimbursement": (Outcome.REFUND, Outcome.REPLACEMENT, Outcome.REPAIR),
    }
    IGNORED_VALUES: dict[str, Any] = {
        "refund_amount": None,
        "payment_reference": "",
        "shipping_reimbursement": None,
    }

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, claim=claim, **kwargs)
        allowed = OUTCOMES_BY_KIND[claim.kind]
        outcome_field = cast(forms.ChoiceField, self.fields["outcome"])
        outcome_field.choices = [(value, label) for value, label in Outcome.choices if value in allowed]
        if claim.kind == ClaimKind.RETURN:
            unit_price = claim.order_line.unit_price
            if unit_price is not None:
                self.fields["refund_amount"].initial = unit_price * claim.quantity
        else:
            del self.fields["refund_amount"]
            del self.fields["payment_reference"]
        if not shipping_reimbursable(claim):
            del self.fields["shipping_reimbursement"]
        # static/admin-extra/follow-choice.js hides (and empties) a field while the outcome chosen is not one
        # it applies to; ``clean`` ignores it whatever was posted.
        for name, outcomes in self.APPLIES_TO.items():
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"data-applies-with": "outcome", "data-applies-to": " ".join(outcomes)}
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        outcome = cleaned.get("outcome")
        for name, outcomes in self.APPLIES_TO.items():
            if name in self.fields and outcome not in outcomes:
                cleaned[name] = self.IGNORED_VALUES[name]
                self.errors.pop(name, None)
        return cleaned

    def perform(self, *, actor: User) -> str:
        data = self.cleaned_data
        refund_amount: Decimal | None = data.get("refund_amount")
        resolve_claim(
            claim=self.claim,
            actor=actor,
            outcome=data["outcome"],
            note=data["note"],
            refund_amount=refund_amount,
            payment_reference=data.get("payment_reference", ""),
            shipping_reimbursement=data.get("shipping_reimbursement"),
        )
        return _("%(rma)s resolved.") % {"rma": self.claim.rma_number}


class InternalNoteForm(ClaimStepForm):
    body = forms.CharField(
        label=gettext_lazy("Internal note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Seen by staff only, never by the customer."),
    )

    def perform(self, *, actor: User) -> str:
        add_internal_note(claim=self.claim, actor=actor, body=self.cleaned_data["body"])
        return _("Note added to %(rma)s.") % {"rma": self.claim.rma_number}


# --- Warehouse ------------------------------------------------------------------


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


class FindOrderForm(forms.Form):
    order = forms.CharField(label=gettext_lazy("Order number"), max_length=64)


class OrderLineField(forms.ModelChoiceField[OrderLine]):
    def label_from_instance(self, obj: OrderLine) -> str:
        return _("%(product)s × %(quantity)d (%(left)d claimable)") % {
            "product": obj.product.name,
            "quantity": obj.quantity,
            "left": claimable_quantity(obj),
        }


class FileClaimForm(forms.Form):
    """What the customer said on the phone or by email; the declaration's boxes are the table's points."""

    order_line = OrderLineField(label=gettext_lazy("Item"), queryset=OrderLine.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ClaimKind.choices, widget=forms.RadioSelect)
    quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1, initial=1)
    return_reason = forms.ChoiceField(
        label=gettext_lazy("Return reason"), choices=[("", "—"), *ReturnReason.choices], required=False
    )
    defect_category = forms.ChoiceField(
        label=gettext_lazy("Defect category (warranty)"),
        choices=[("", "—"), *DefectCategory.choices],
        required=False,
    )
    description = forms.CharField(
        label=gettext_lazy("What the customer said"), widget=forms.Textarea(attrs={"rows": 5})
    )
    photos = PhotosField(label=gettext_lazy("Photos the customer sent"))

    def __init__(self, *args: Any, order_lines: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        line_field = cast(OrderLineField, self.fields["order_line"])
        line_field.queryset = order_lines
        photos = self.fields.pop("photos")
        for point in DECLARATION_POINTS:
            self.fields[point.name] = forms.BooleanField(
                label=_("%(point)s (%(clause)s)")
                % {"point": capfirst(point.summary), "clause": point.clause},
                required=False,
            )
        self.fields["photos"] = photos
        # What applies to one kind only: shown with it (static/admin-extra/follow-choice.js), read with it.
        kind_fields = {
            "return_reason": ClaimKind.RETURN,
            "defect_category": ClaimKind.WARRANTY,
            **{point.name: point.kind for point in DECLARATION_POINTS},
        }
        for name, kind in kind_fields.items():
            self.fields[name].widget.attrs.update({"data-applies-with": "kind", "data-applies-to": kind})

    def perform(self, *, actor: User) -> Claim:
        data = self.cleaned_data
        kind = ClaimKind(data["kind"])
        request = ClaimRequest(
            order_line=data["order_line"],
            kind=kind,
            quantity=data["quantity"],
            description=data["description"],
            declaration=declaration_from({point.name: data[point.name] for point in points_for(kind)}),
            return_reason=ReturnReason(data["return_reason"])
            if kind == ClaimKind.RETURN and data["return_reason"]
            else None,
            defect_category=DefectCategory(data["defect_category"])
            if kind == ClaimKind.WARRANTY and data["defect_category"]
            else None,
        )
        photos = store_photos(owner=actor, uploads=data["photos"], stage=ClaimPhoto.Stage.CLAIM)
        return submit_claim(request=request, actor=actor, photos=photos)
