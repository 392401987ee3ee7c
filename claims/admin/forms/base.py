"""What every back-office step form shares: the photos field, and the form that calls one service."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from claims.models import Claim, ClaimPhoto, User
from claims.photo_input import MultiplePhotoInput
from claims.photos import PhotoRejected, check_request_pixels, store_photo
from claims.services import (
    MAX_PHOTOS_PER_CLAIM,
)


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
