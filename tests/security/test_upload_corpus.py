"""An upload corpus of hostile files, sent through the portal's photo fields and the warehouse's.

Every file gets a clear message next to the photo field (or the friendly 400
page for too many files in one request), never a 500, and nothing is stored:
no ClaimPhoto row, no file under MEDIA_ROOT.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from claims.lifecycle import Status
from claims.models import ClaimPhoto
from tests.security.hostile_files import GENUINE_EDGE_CASES, HOSTILE, HOSTILE_NAMES, JPEG
from tests.security.world import OWNER, WAREHOUSE, World, media_files, snapshot

pytestmark = pytest.mark.django_db


def _file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def _upload_to_warranty_form(world: World, *files: SimpleUploadedFile):
    url = reverse("portal:file_warranty", args=[world.line().pk])
    return world.client(OWNER).post(url, {"action": "upload", "new_photos": list(files)})


def _photo_errors(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [str(message) for message in response.context["form"].errors.get("new_photos", [])]


@pytest.mark.parametrize(("file_name", "content"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_file_gets_a_message_next_to_the_photo_field_and_is_not_stored(
    world: World, file_name: str, content: bytes
):
    response = _upload_to_warranty_form(world, _file(file_name, content))

    errors = _photo_errors(response)
    assert len(errors) == 1
    assert errors[0].startswith(f"“{file_name}”: ")
    assert errors[0] in response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert ClaimPhoto.objects.count() == 0
    assert media_files() == []


@pytest.mark.parametrize(("file_name", "content"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_file_in_an_inspection_is_refused_and_nothing_is_recorded(
    world: World, file_name: str, content: bytes
):
    claim = world.claim(Status.RECEIVED)
    warehouse = world.client(WAREHOUSE)
    before = snapshot()
    response = warehouse.post(
        reverse("admin:claims_claim_warehouse_claim", args=[claim.pk]),
        {"step": "inspect", "found_no_user_damage": "on", "photos": [_file(file_name, content)]},
    )

    assert response.status_code == 200
    page = response.content.decode()
    # The photo pipeline's refusal names the file; Django's own (an empty file) sits on the field.
    field_errors = [str(message) for message in response.context["inspection_form"].errors.get("photos", [])]
    assert f"“{file_name}”: " in page or (field_errors and all(error in page for error in field_errors))
    assert snapshot() == before


@pytest.mark.parametrize("hostile_name", HOSTILE_NAMES)
def test_a_hostile_name_on_a_hostile_file_is_refused_and_shown_harmlessly(world: World, hostile_name: str):
    response = _upload_to_warranty_form(world, _file(hostile_name, b"<?php system($_GET['c']); ?>"))

    errors = _photo_errors(response)
    assert len(errors) == 1
    assert "holds something besides a picture" in errors[0]
    page = response.content.decode()
    assert "<?php" not in page
    assert 'onerror="alert(1)"' not in page
    assert ClaimPhoto.objects.count() == 0
    assert media_files() == []


@pytest.mark.parametrize("hostile_name", HOSTILE_NAMES)
def test_a_real_photo_under_a_hostile_name_is_stored_under_a_random_name_inside_media(
    world: World, hostile_name: str
):
    response = _upload_to_warranty_form(world, _file(hostile_name, JPEG))

    assert _photo_errors(response) == []
    photo = ClaimPhoto.objects.get()
    media_root = Path(settings.MEDIA_ROOT).resolve()
    for stored in media_files():
        assert stored.resolve().is_relative_to(media_root / "claim-photos")
        assert stored.suffix == ".jpg"
        assert "passwd" not in stored.name
        assert "\x00" not in stored.name
    assert len(media_files()) == 2  # the photo and its thumbnail
    assert "/" not in photo.original_name
    assert "\\" not in photo.original_name
    assert "\x00" not in photo.original_name
    assert len(photo.original_name) <= 255


def test_101_files_in_one_request_get_the_friendly_400_page_and_nothing_is_stored(world: World):
    files = [_file(f"photo-{number}.jpg", JPEG) for number in range(101)]

    response = _upload_to_warranty_form(world, *files)

    assert response.status_code == 400
    assert "400.html" in [template.name for template in response.templates]
    assert ClaimPhoto.objects.count() == 0
    assert media_files() == []


def test_more_files_than_a_claim_takes_are_refused_beyond_the_limit(world: World):
    files = [_file(f"photo-{number}.jpg", JPEG) for number in range(10)]

    response = _upload_to_warranty_form(world, *files)

    errors = _photo_errors(response)
    assert len(errors) == 2
    assert all("at most 8 photos per claim" in message for message in errors)
    assert ClaimPhoto.objects.count() == 8


@pytest.mark.parametrize(("file_name", "content"), GENUINE_EDGE_CASES.values(), ids=GENUINE_EDGE_CASES.keys())
def test_an_unusual_but_genuine_photo_is_stored_re_encoded_without_metadata(
    world: World, file_name: str, content: bytes
):
    response = _upload_to_warranty_form(world, _file(file_name, content))

    assert _photo_errors(response) == []
    photo = ClaimPhoto.objects.get()
    with Image.open(photo.image.path) as stored:
        assert stored.format in ("JPEG", "PNG", "WEBP")
        assert stored.mode in ("RGB", "RGBA")
        assert not stored.getexif()
    assert photo.image.size < max(len(content), 4096) + 4096
    assert photo.uploaded_at <= timezone.now()
