"""The photo pipeline: judged by content, re-encoded without metadata, capped, cleaned up."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from claims.models import ClaimPhoto
from claims.photos import (
    MAX_PHOTO_PIXELS,
    MAX_REQUEST_PIXELS,
    MAX_STORED_SIDE,
    PhotoRejected,
    check_request_pixels,
    clean_photo,
    decoded_pixels,
    delete_abandoned_photos,
    store_photo,
)
from claims.services import MAX_PHOTOS_PER_CLAIM
from tests.factories import make_claim
from tests.portal.images import image_bytes, upload

pytestmark = pytest.mark.django_db

GPS_TAG = 0x8825
ORIENTATION_TAG = 0x0112


def jpeg_with_gps_and_rotation() -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6  # rotated 90° clockwise: the stored pixels are upright after transposing
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_TAG).update({1: "N", 2: (10.0, 45.0, 0.0), 3: "E", 4: (106.0, 40.0, 0.0)})
    return image_bytes(size=(80, 40), exif=exif.tobytes())


def decompression_bomb_png() -> bytes:
    """A tiny PNG whose header claims a huge picture: 1-bit, all zeros, compresses to nothing."""
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_photo_is_stored_under_a_random_name_with_a_thumbnail(customer):
    photo = store_photo(owner=customer, upload=upload("../../etc/My Holiday.JPG"))
    assert photo.claim is None
    assert photo.original_name == "My Holiday.JPG"
    assert photo.image.name.startswith("claim-photos/")
    assert "Holiday" not in photo.image.name
    assert photo.image.name.endswith(".jpg")
    assert (photo.width, photo.height) == (64, 48)
    with Image.open(photo.thumbnail) as thumbnail:
        assert thumbnail.format == "JPEG"
    other = store_photo(owner=customer, upload=upload())
    assert other.image.name != photo.image.name


def test_exif_and_gps_are_dropped_after_applying_the_orientation(customer):
    photo = store_photo(owner=customer, upload=upload(content=jpeg_with_gps_and_rotation()))
    with Image.open(photo.image) as stored:
        assert stored.size == (40, 80)  # transposed
        assert dict(stored.getexif()) == {}
        assert "exif" not in stored.info
    assert b"PhoneMaker" not in photo.image.open("rb").read()


@pytest.mark.parametrize(
    ("name", "format", "extension"),
    [("photo.png", "PNG", "png"), ("photo.webp", "WEBP", "webp"), ("really-a-png.jpg", "PNG", "png")],
)
def test_png_and_webp_are_accepted_by_content_not_name(customer, name, format, extension):
    photo = store_photo(owner=customer, upload=upload(name, image_bytes(format=format)))
    assert photo.image.name.endswith(f".{extension}")
    with Image.open(photo.image) as stored:
        assert stored.format == format


def truncated_jpeg() -> bytes:
    whole = image_bytes(size=(400, 300), colour="red")
    return whole[: len(whole) // 2]


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (8, 8)).save(buffer, format="GIF")
    return buffer.getvalue()


def oversized_file() -> bytes:
    """A 30 MB upload: a valid JPEG followed by padding."""
    return image_bytes() + b"\0" * (30 * 1024 * 1024)


def too_many_pixels() -> bytes:
    side = int(MAX_PHOTO_PIXELS**0.5) + 10  # above our cap, below Pillow's own bomb limit
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make_content", "why"),
    [
        ("bomb.png", decompression_bomb_png, "megapixels"),
        ("big.png", too_many_pixels, "megapixels"),
        ("truncated.jpg", truncated_jpeg, "damaged or incomplete"),
        ("huge.jpg", oversized_file, "the limit is 10"),
        ("document.png", pdf_bytes, "not a JPEG, PNG or WebP"),
        ("anim.gif", gif_bytes, "not a JPEG, PNG or WebP"),
        ("empty.jpg", lambda: b"", "empty"),
        ("random.jpg", lambda: bytes(range(256)) * 8, "not a JPEG, PNG or WebP"),
    ],
)
def test_bad_files_are_rejected_with_a_reason_and_nothing_is_stored(customer, name, make_content, why):
    with pytest.raises(PhotoRejected) as rejected:
        store_photo(owner=customer, upload=SimpleUploadedFile(name, make_content(), "image/jpeg"))
    assert why in rejected.value.message
    assert name in rejected.value.message
    assert not ClaimPhoto.objects.exists()


def test_the_pixel_cap_is_checked_before_decoding(monkeypatch):
    def refuse_to_decode(*args, **kwargs):
        raise AssertionError("decoded an image above the pixel cap")

    big = SimpleUploadedFile("big.png", too_many_pixels())
    monkeypatch.setattr(Image.Image, "load", refuse_to_decode)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", refuse_to_decode)
    with pytest.raises(PhotoRejected, match="megapixels"):
        clean_photo(big)


def test_abandoned_drafts_are_deleted_with_their_files(customer):
    old_draft = store_photo(owner=customer, upload=upload())
    ClaimPhoto.objects.filter(pk=old_draft.pk).update(uploaded_at=timezone.now() - timedelta(days=2))
    fresh_draft = store_photo(owner=customer, upload=upload())
    claim = make_claim(line=None)
    attached = store_photo(owner=customer, upload=upload(), claim=claim)
    ClaimPhoto.objects.filter(pk=attached.pk).update(uploaded_at=timezone.now() - timedelta(days=2))
    storage = old_draft.image.storage
    old_files = [old_draft.image.name, old_draft.thumbnail.name]

    deleted = delete_abandoned_photos(uploaded_before=timezone.now() - timedelta(days=1))

    assert deleted == 1
    assert set(ClaimPhoto.objects.values_list("pk", flat=True)) == {fresh_draft.pk, attached.pk}
    assert not any(storage.exists(name) for name in old_files)
    assert storage.exists(attached.image.name)
    assert delete_abandoned_photos(uploaded_before=timezone.now() - timedelta(days=1)) == 0


def test_the_hourly_task_deletes_drafts_older_than_the_setting(customer, settings):
    from claims import tasks

    settings.ASM_ABANDONED_PHOTO_HOURS = 24
    old_draft, fresh_draft = (store_photo(owner=customer, upload=upload()) for _ in range(2))
    ClaimPhoto.objects.filter(pk=old_draft.pk).update(uploaded_at=timezone.now() - timedelta(hours=25))
    tasks.delete_abandoned_photos()
    assert list(ClaimPhoto.objects.all()) == [fresh_draft]
    assert (
        settings.CELERY_BEAT_SCHEDULE["delete-abandoned-photos"]["task"] == tasks.delete_abandoned_photos.name
    )


def test_a_large_jpeg_is_scaled_down_while_it_is_decoded():
    wide = upload("panorama.jpg", image_bytes(size=(2 * MAX_STORED_SIDE, 1024)))

    assert decoded_pixels(wide) == MAX_STORED_SIDE * 512  # decoded at half size, not 2×
    clean = clean_photo(wide)
    assert (clean.width, clean.height) == (MAX_STORED_SIDE, 512)


def test_eight_phone_photos_fit_the_request_budget():
    phone = image_bytes(size=(4032, 3024))
    check_request_pixels([upload(f"photo-{index}.jpg", phone) for index in range(MAX_PHOTOS_PER_CLAIM)])


def test_photos_each_under_the_cap_but_together_over_the_budget_are_refused_from_their_headers(monkeypatch):
    """Issue 11: 6,324 × 6,324 PNGs of a few KB each; refused before any pixel is decoded."""

    def refuse_to_decode(*args, **kwargs):
        raise AssertionError("decoded a photo of a request over the budget")

    side = 6324
    assert side * side < MAX_PHOTO_PIXELS
    count = MAX_REQUEST_PIXELS // (side * side) + 1
    huge = image_bytes(format="PNG", size=(side, side), mode="1", colour=0)
    uploads = [upload(f"huge-{index}.png", huge) for index in range(count)]
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", refuse_to_decode)
    with pytest.raises(PhotoRejected, match="too large to process at once"):
        check_request_pixels(uploads)
