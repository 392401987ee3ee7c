"""The care staff's step forms on the claim page: question, approve, reject, resolve, note.

Each parses its input and calls one claim service in ``perform``; a service's
refusal is shown by ``claims.admin.steps.run_step``.
"""

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.admin.forms.base import ClaimStepForm
from claims.lifecycle import ClaimKind, Outcome, RejectReason
from claims.models import Claim, User
from claims.selectors import (
    claim_destination,
    eligibility_as_filed,
    shipping_reimbursable,
)
from claims.services import (
    OUTCOMES_BY_KIND,
    add_internal_note,
    approve_claim,
    reject_claim,
    request_info,
    resolve_claim,
)
from policies.reasons import ShippingPayer


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
