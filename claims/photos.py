"""The photo pipeline: every claim photo, the customer's or the inspector's, enters through here.

An upload is judged by its content, never its name or declared type: a file
that is also an archive or a web page (a polyglot) is refused, then only
JPEG, PNG and WebP decoders are tried, the pixel count is checked from the
header before anything is decoded, and the decoded picture is re-encoded from
its pixels alone, so EXIF (GPS included), XMP and any trailing bytes are left
behind. Files get random names and live in the private media storage; the
``claim_photo`` views serve them after checking access.

Callers (the portal's forms, the back office's inspection form) use
``store_photo``; a rejected file raises ``PhotoRejected`` with a message for
the person who sent it.
"""

import io
import re
import secrets
import warnings
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from claims.errors import ClaimError
from claims.models import Claim, ClaimPhoto, User

MAX_PHOTO_BYTES = 10 * 1024 * 1024
# Pillow refuses images above 2 × 89.5 MP as bombs; ours is far lower, and is
# checked from the header before the pixels are decoded.
MAX_PHOTO_PIXELS = 40_000_000
# What one request may make the server decode, all its photos together, in
# JPEG pixels: a photo costs its decoded pixels (a large JPEG is decoded
# already scaled down), a PNG or WebP pixel twice as much (measured: decoding
# and re-encoding one takes about twice as long). Eight 12-megapixel phone
# photos fit, and no request holds a web worker for more than a few seconds
# (``benchmarks/photo_uploads.py``).
MAX_REQUEST_PIXELS = 100_000_000
LOSSLESS_PIXEL_COST = 2
# Stored photos are scaled down to this longest side; enough to judge a defect,
# and a 12-megapixel phone photo (4,032 × 3,024) is kept at its size, not resampled.
MAX_STORED_SIDE = 4096
THUMBNAIL_SIDE = 480


@dataclass(frozen=True)
class PhotoFormat:
    extension: str
    content_type: str
    save_options: dict[str, object]


FORMATS: dict[str, PhotoFormat] = {
    "JPEG": PhotoFormat("jpg", "image/jpeg", {"quality": 85, "optimize": True}),
    # Run-length zlib, not ``optimize``: on a noisy picture the slow search costs seconds and saves nothing.
    "PNG": PhotoFormat("png", "image/png", {"compress_level": 6, "compress_type": zlib.Z_RLE}),
    "WEBP": PhotoFormat("webp", "image/webp", {"quality": 85}),
}
ACCEPT_ATTRIBUTE = ",".join(photo_format.content_type for photo_format in FORMATS.values())
CONTENT_TYPES = {photo_format.extension: photo_format.content_type for photo_format in FORMATS.values()}


# Markers of a polyglot: a picture that is also a web page or a script when opened as one.
# Each is long enough that a photo's compressed bytes do not contain it by chance.
ACTIVE_CONTENT = re.compile(rb"<\?php|<script|<html|<!doctype|<iframe|<object|<embed", re.IGNORECASE)


class PhotoRejected(ClaimError):
    """The file is not a photo the portal stores; the message says why."""


@dataclass(frozen=True)
class CleanPhoto:
    """A re-encoded photo and its thumbnail, ready to store."""

    image: bytes
    thumbnail: bytes
    extension: str
    width: int
    height: int


def _reject(name: str, why: str) -> PhotoRejected:
    return PhotoRejected(_("“%(name)s”: %(why)s") % {"name": name, "why": why})


def _encode(picture: Image.Image, photo_format: PhotoFormat, format_name: str) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format=format_name, **photo_format.save_options)
    return buffer.getvalue()


def _too_large() -> str:
    return _("the picture has more than %(limit)d megapixels.") % {"limit": MAX_PHOTO_PIXELS // 1_000_000}


def _damaged() -> str:
    return _("the picture is damaged or incomplete; take or export it again.")


def _open(upload: UploadedFile, name: str) -> Image.Image:
    """The picture's header, checked, with reduce-on-decode set up; no pixel is decoded yet.

    For a JPEG, ``draft`` has the decoder scale by 1/2, 1/4 or 1/8 as it
    decodes, to the smallest size still covering the stored size: a 48-megapixel
    photo is decoded as 12, in a quarter of the time and memory. PNG and WebP
    have no such option; their cost is bounded by ``MAX_REQUEST_PIXELS``.
    """
    upload.seek(0)
    # Decoders may raise almost anything on hostile input; every failure is a rejected photo.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            source = Image.open(upload, formats=list(FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _reject(name, _too_large()) from None
        except Exception:
            raise _reject(name, _("this is not a JPEG, PNG or WebP photo.")) from None
    width, height = source.size
    if width * height > MAX_PHOTO_PIXELS:
        raise _reject(name, _too_large())
    scale = max(width, height) / MAX_STORED_SIDE
    if source.format == "JPEG" and scale >= 2:
        try:
            source.draft("RGB", (int(width / scale), int(height / scale)))
        except Exception:
            raise _reject(name, _damaged()) from None
    return source


def decoded_pixels(upload: UploadedFile) -> int:
    """How many pixels storing ``upload`` would decode; 0 for a file that is not a photo (refused later)."""
    try:
        with _open(upload, upload.name or "") as source:
            return source.width * source.height
    except PhotoRejected:
        return 0


def _decoding_cost(upload: UploadedFile) -> int:
    """``decoded_pixels`` in JPEG pixels: a PNG or WebP pixel costs ``LOSSLESS_PIXEL_COST`` of them."""
    pixels = decoded_pixels(upload)
    upload.seek(0)
    is_jpeg = upload.read(3) == b"\xff\xd8\xff"
    upload.seek(0)
    return pixels if is_jpeg else pixels * LOSSLESS_PIXEL_COST


def check_request_pixels(uploads: Sequence[UploadedFile]) -> None:
    """Refuse uploads that together would cost more than ``MAX_REQUEST_PIXELS`` to decode.

    Only the headers are read. Callers check before storing any upload, so a
    refused request stores nothing.
    """
    if sum(_decoding_cost(upload) for upload in uploads) > MAX_REQUEST_PIXELS:
        raise PhotoRejected(
            _(
                "Together these photos are too large to process at once (more than %(jpeg)d megapixels "
                "of JPEG, or %(lossless)d of PNG or WebP); nothing was saved. Send fewer at a time, "
                "or smaller ones."
            )
            % {
                "jpeg": MAX_REQUEST_PIXELS // 1_000_000,
                "lossless": MAX_REQUEST_PIXELS // LOSSLESS_PIXEL_COST // 1_000_000,
            }
        )


def _storable(picture: Image.Image, format_name: str) -> Image.Image:
    """The picture in a mode its format stores; converted (a copy) only when it must be."""
    if format_name == "JPEG":
        wanted = "RGB"
    elif picture.mode in ("RGB", "RGBA", "L"):
        return picture
    else:
        wanted = "RGBA"
    return picture if picture.mode == wanted else picture.convert(wanted)


def clean_photo(upload: UploadedFile) -> CleanPhoto:
    """Decode, check and re-encode one upload; raise ``PhotoRejected`` if it is not an acceptable photo.

    Memory stays near one decoded picture: it is turned, converted and scaled
    in place where Pillow allows, and the thumbnail is scaled from the stored size.
    """
    name = upload.name or _("unnamed file")
    if not upload.size:
        raise _reject(name, _("the file is empty."))
    if upload.size > MAX_PHOTO_BYTES:
        raise _reject(
            name,
            _("the file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_PHOTO_BYTES)},
        )
    upload.seek(0)
    if zipfile.is_zipfile(upload) or ACTIVE_CONTENT.search(_read_all(upload)):
        raise _reject(name, _("the file holds something besides a picture; export the photo again."))
    with _open(upload, name) as source:
        format_name = str(source.format)
        if getattr(source, "n_frames", 1) > 1:  # an animated PNG or WebP
            raise _reject(name, _("animated pictures are not accepted; send a still photo."))
        try:
            source.load()
            ImageOps.exif_transpose(source, in_place=True)
        except Exception:
            raise _reject(name, _damaged()) from None
        picture = _storable(source, format_name)
    # Only the pixels are kept: no EXIF, GPS, XMP, ICC or comments reach the stored file.
    picture.info = {}
    # Bilinear: on a downscale it averages as bicubic does, at about half the cost.
    picture.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE), resample=Image.Resampling.BILINEAR)
    photo_format = FORMATS[format_name]
    image = _encode(picture, photo_format, format_name)
    width, height = picture.size
    picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    return CleanPhoto(
        image=image,
        thumbnail=_encode(picture, photo_format, format_name),
        extension=photo_format.extension,
        width=width,
        height=height,
    )


def _read_all(upload: UploadedFile) -> bytes:
    upload.seek(0)
    return b"".join(upload.chunks())


def store_photo(
    *,
    owner: User,
    upload: UploadedFile,
    stage: ClaimPhoto.Stage = ClaimPhoto.Stage.CLAIM,
    claim: Claim | None = None,
) -> ClaimPhoto:
    """Check and store one photo for ``owner``; unattached (a draft) unless ``claim`` is given.

    Raises ``PhotoRejected`` when the file is not an acceptable photo.
    """
    clean = clean_photo(upload)
    stem = secrets.token_urlsafe(18)
    photo = ClaimPhoto(
        owner=owner, claim=claim, stage=stage, original_name=Path(upload.name or "").name[:255]
    )
    photo.image.save(f"{stem}.{clean.extension}", ContentFile(clean.image), save=False)
    photo.thumbnail.save(f"{stem}-thumb.{clean.extension}", ContentFile(clean.thumbnail), save=False)
    # Known from the decoding; saving the file could not read them from an unnamed buffer.
    photo.width, photo.height = clean.width, clean.height
    try:
        photo.save()
    except Exception:
        _delete_files(photo)
        raise
    return photo


def photo_content_type(file_name: str) -> str:
    return CONTENT_TYPES.get(file_name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def draft_photos(*, owner: User, photo_ids: list[int]) -> list[ClaimPhoto]:
    """The owner's photos among ``photo_ids`` that are not yet attached to a claim, in upload order."""
    return list(ClaimPhoto.objects.filter(owner=owner, claim__isnull=True, pk__in=photo_ids))


def _delete_files(photo: ClaimPhoto) -> None:
    for field_file in (photo.image, photo.thumbnail):
        if field_file.name:
            field_file.storage.delete(field_file.name)


def delete_abandoned_photos(*, uploaded_before: datetime) -> int:
    """Remove photos uploaded to a form never submitted, and their files; returns how many.

    Each row is deleted only if it is still unattached at that moment, so a
    claim filed meanwhile keeps its photos.
    """
    deleted = 0
    abandoned = ClaimPhoto.objects.filter(claim__isnull=True, uploaded_at__lt=uploaded_before)
    for photo in abandoned.iterator():
        with transaction.atomic():
            removed, _by_model = ClaimPhoto.objects.filter(pk=photo.pk, claim__isnull=True).delete()
        if removed:
            _delete_files(photo)
            deleted += 1
    return deleted
