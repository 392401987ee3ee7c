"""The one file input for photos, in the portal and the back office alike."""

from typing import Any

from django import forms

from claims.photos import ACCEPT_ATTRIBUTE


class MultiplePhotoInput(forms.FileInput):
    """Several images from one input; a phone offers its camera and its gallery (``accept``)."""

    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"accept": ACCEPT_ATTRIBUTE, **(attrs or {})})
