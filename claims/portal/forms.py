"""The portal's forms. They parse input; the rules live in ``policies`` and ``claims.services``.

Only the fields listed here are read from a request, so extra posted fields
(a status, a customer, a payer, dates) are ignored.
"""

from datetime import date
from typing import Any, ClassVar

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.errors import ClaimError
from claims.lifecycle import ClaimKind
from claims.models import ClaimPhoto, OrderLine, User
from claims.photo_input import MultiplePhotoInput
from claims.photos import (
    MAX_PHOTO_BYTES,
    PhotoRejected,
    check_request_pixels,
    draft_photos,
    store_photo,
)
from claims.services import MAX_PHOTOS_PER_CLAIM, ClaimRequest
from policies.declaration import declaration_from, points_for
from policies.eligibility import return_eligibility, warranty_period
from policies.reasons import LATE_RETURN_WARRANTY_CATEGORY, DefectCategory, ReturnReason
from policies.terms import Terms


def _photo_limits() -> str:
    # Interpolated when the form is shown, in the reader's language (a lazy string's % is eager).
    return _("JPEG, PNG or WebP, up to %(size)d MB each, %(count)d in all.") % {
        "size": MAX_PHOTO_BYTES // (1024 * 1024),
        "count": MAX_PHOTOS_PER_CLAIM,
    }


class PortalForm(forms.Form):
    """Focus lands on the first field in error (``autofocus``), with or without JavaScript."""

    # A service's name for an input → this form's field for it.
    refusal_field_aliases: dict[str, str] = {}

    def full_clean(self) -> None:
        super().full_clean()
        self._focus_first_error()

    def add_refusal(self, refusal: ClaimError) -> None:
        """Show a service's refusal: each field error next to its field, the rest above the form."""
        shown_next_to_field = False
        for service_field_name, message in refusal.field_errors.items():
            field_name = self.refusal_field_aliases.get(service_field_name, service_field_name)
            if field_name in self.fields:
                self.add_error(field_name, message)
                shown_next_to_field = True
            else:
                self.add_error(None, message)
        if not shown_next_to_field:
            self.add_error(None, refusal.message)
        self._focus_first_error()

    def _focus_first_error(self) -> None:
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)
        first_invalid = next((name for name in self.fields if name in self.errors), None)
        if first_invalid is not None:
            self.fields[first_invalid].widget.attrs["autofocus"] = True

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(label, message, id of the input to jump to) for each error, in field order."""
        summary = [("", str(message), "") for message in self.non_field_errors()]
        for name in self.fields:
            if name in self.errors:
                bound = self[name]
                anchor = bound.id_for_label or f"{bound.auto_id}_0"
                summary.extend((str(bound.label), str(message), anchor) for message in self.errors[name])
        return summary


class SignInForm(PortalForm):
    order_number = forms.CharField(
        label=gettext_lazy("Order number"),
        max_length=64,
        help_text=gettext_lazy("As printed on your order confirmation, e.g. ASM-1001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Email address on the order"),
        max_length=254,  # the outbox row's recipient column
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class PhotoUploadField(forms.Field):
    """Several files from one input; each is judged by ``claims.photos``, not here."""

    widget = MultiplePhotoInput

    def to_python(self, data: Any) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [upload for upload in files if isinstance(upload, UploadedFile)]


# The largest id a database's big integer holds; a larger posted id cannot name a photo.
MAX_PHOTO_ID = 2**63 - 1


def posted_photo_ids(values: list[str]) -> list[int]:
    """The photo ids among posted values: ASCII digits within the id range; anything else is ignored."""
    return [
        int(value) for value in values if value.isascii() and value.isdigit() and int(value) <= MAX_PHOTO_ID
    ]


class ClaimPhotosForm(PortalForm):
    """Photos uploaded to a form that is not yet submitted are kept as drafts.

    Each upload is stored at once as an unattached ``ClaimPhoto`` of the
    customer; the ids travel in hidden ``photos`` inputs, so a rejected file,
    or any other error, loses neither the accepted photos nor the other fields.
    Ids that are not the customer's unattached photos are ignored.
    """

    refusal_field_aliases = {"photos": "new_photos"}
    new_photos = PhotoUploadField(
        label=gettext_lazy("Add photos"),
        required=False,
        help_text=lazy(_photo_limits, str)(),
        widget=MultiplePhotoInput,
    )

    def __init__(
        self,
        *args: Any,
        owner: User,
        photos_already_attached: int = 0,
        photo_ids: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.photo_limit = MAX_PHOTOS_PER_CLAIM - photos_already_attached
        if self.is_bound:
            posted = self.data.getlist("photos") if isinstance(self.data, QueryDict) else []
            photo_ids = posted_photo_ids(posted)
            removed = self.data.get("remove_photo", "")
            photo_ids = [photo_id for photo_id in photo_ids if str(photo_id) != removed]
        self.draft_photos: list[ClaimPhoto] = (
            draft_photos(owner=owner, photo_ids=photo_ids) if photo_ids else []
        )

    @property
    def only_editing_photos(self) -> bool:
        """The customer pressed "Upload" or "Remove": show the form again, do not file it."""
        return self.data.get("action") == "upload" or bool(self.data.get("remove_photo"))

    def clean_new_photos(self) -> list[UploadedFile]:
        uploads: list[UploadedFile] = self.cleaned_data["new_photos"]
        try:
            check_request_pixels(uploads)
        except PhotoRejected as rejection:
            raise forms.ValidationError(rejection.message) from None
        rejections = []
        for upload in uploads:
            if len(self.draft_photos) >= self.photo_limit:
                rejections.append(
                    _("“%(name)s”: at most %(count)d photos per claim.")
                    % {"name": upload.name, "count": MAX_PHOTOS_PER_CLAIM}
                )
                continue
            try:
                self.draft_photos.append(store_photo(owner=self.owner, upload=upload))
            except PhotoRejected as rejection:
                rejections.append(rejection.message)
        if rejections:
            raise forms.ValidationError(rejections)
        return uploads


def _quantity_field(line: OrderLine) -> forms.IntegerField:
    return forms.IntegerField(
        label=gettext_lazy("How many"),
        min_value=1,
        max_value=line.quantity,
        initial=1,
        help_text=gettext_lazy("You bought %(count)d.") % {"count": line.quantity},
    )


def _description_field(help_text: str) -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Description"),
        max_length=5000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class DeclarationForm(ClaimPhotosForm):
    """A claim form with the tick boxes of the declaration points of its kind, in the customer's words."""

    kind: ClassVar[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for point in points_for(self.kind):
            self.fields[point.name] = forms.BooleanField(label=point.statement, required=False)

    def declaration_fields(self) -> list[forms.BoundField]:
        return [self[point.name] for point in points_for(self.kind)]


class ReturnForm(DeclarationForm):
    """A return (R1–R4, RP2): the declaration each reason requires comes from the reason table."""

    kind = ClaimKind.RETURN

    return_reason = forms.ChoiceField(
        label=gettext_lazy("Why are you returning it?"),
        choices=ReturnReason.choices,
        widget=forms.RadioSelect,
    )
    field_order = [
        "return_reason",
        "quantity",
        *(point.name for point in points_for(ClaimKind.RETURN)),
        "description",
        "new_photos",
    ]

    def __init__(self, *args: Any, line: OrderLine, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = line
        self.fields["quantity"] = _quantity_field(line)
        self.fields["description"] = _description_field(
            _("What is wrong, or why you are sending it back. Photos are needed for damage or defects.")
        )
        self.order_fields(self.field_order)

    def claim_request(self) -> ClaimRequest:
        return ClaimRequest(
            order_line=self.line,
            kind=ClaimKind.RETURN,
            quantity=self.cleaned_data["quantity"],
            description=self.cleaned_data["description"],
            declaration=declaration_from(self.cleaned_data),
            return_reason=ReturnReason(self.cleaned_data["return_reason"]),
        )

    def warranty_offer(self, *, today: date, terms: Terms) -> DefectCategory | None:
        """A late return for a defect: the warranty category to carry it over to, if still covered."""
        reason = self.cleaned_data.get("return_reason")
        if not reason:
            return None
        order = self.line.order
        verdict = return_eligibility(
            delivered_on=order.delivered_on,
            today=today,
            terms=terms,
            reason=ReturnReason(reason),
            declaration=declaration_from(self.cleaned_data),
        )
        covered = warranty_period(
            purchased_on=order.purchased_on, delivered_on=order.delivered_on, today=today, terms=terms
        ).eligible
        if verdict.offer_warranty and covered:
            return LATE_RETURN_WARRANTY_CATEGORY[ReturnReason(reason)]
        return None


class WarrantyForm(DeclarationForm):
    """A warranty claim (W1–W5, WP2): category, description, at least one photo, the W4/W5 statement."""

    kind = ClaimKind.WARRANTY

    defect_category = forms.ChoiceField(
        label=gettext_lazy("What is the defect?"),
        choices=DefectCategory.choices,
        widget=forms.RadioSelect,
    )
    field_order = [
        "defect_category",
        "quantity",
        "description",
        "new_photos",
        *(point.name for point in points_for(ClaimKind.WARRANTY)),
    ]

    def __init__(self, *args: Any, line: OrderLine, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = line
        self.fields["quantity"] = _quantity_field(line)
        self.fields["description"] = _description_field(
            _("Describe the defect in detail: which part, what you see, when you noticed it.")
        )
        self.order_fields(self.field_order)

    def claim_request(self) -> ClaimRequest:
        return ClaimRequest(
            order_line=self.line,
            kind=ClaimKind.WARRANTY,
            quantity=self.cleaned_data["quantity"],
            description=self.cleaned_data["description"],
            declaration=declaration_from(self.cleaned_data),
            defect_category=DefectCategory(self.cleaned_data["defect_category"]),
        )


class AnswerForm(ClaimPhotosForm):
    answer = forms.CharField(
        label=gettext_lazy("Your answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    field_order = ["answer", "new_photos"]


class MarkShippedForm(PortalForm):
    shipped_on = forms.DateField(
        label=gettext_lazy("Date you sent it"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    carrier = forms.CharField(label=gettext_lazy("Carrier (optional)"), max_length=80, required=False)
    tracking_number = forms.CharField(
        label=gettext_lazy("Tracking number (optional)"), max_length=80, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"shipped_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
