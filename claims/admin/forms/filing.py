"""Filing a claim for a customer who phoned or emailed (RP1, WP1): find the order, then file."""

from typing import Any, cast

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.admin.forms.base import PhotosField, store_photos
from claims.lifecycle import ClaimKind
from claims.models import Claim, ClaimPhoto, OrderLine, User
from claims.selectors import (
    claimable_quantity,
)
from claims.services import (
    ClaimRequest,
    submit_claim,
)
from policies.declaration import DECLARATION_POINTS, declaration_from, points_for
from policies.reasons import DefectCategory, ReturnReason


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
