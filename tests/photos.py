"""Claim photos for tests: a small JPEG drawn by Pillow, stored as a draft of its owner."""

import io

from django.core.files.base import ContentFile
from PIL import Image

from claims.models import ClaimPhoto, User


def jpeg_bytes(*, width: int = 64, height: int = 48, colour: str = "tan") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def make_photo(owner: User, *, stage: str = ClaimPhoto.Stage.CLAIM) -> ClaimPhoto:
    """An unattached photo of ``owner``, ready to pass to ``submit_claim(photos=[...])``."""
    photo = ClaimPhoto(owner=owner, stage=stage, original_name="defect.jpg")
    # The ContentFile needs a name: ImageField reads width and height only from a named file.
    photo.image.save("defect.jpg", ContentFile(jpeg_bytes(), name="defect.jpg"), save=False)
    thumbnail = ContentFile(jpeg_bytes(width=32, height=24), name="defect-thumb.jpg")
    photo.thumbnail.save("defect-thumb.jpg", thumbnail, save=False)
    photo.save()
    return photo
