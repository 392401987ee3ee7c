"""Filing returns and warranty claims: the reason table, photos kept as drafts, one claim per submit."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.lifecycle import ClaimKind, Status
from claims.models import Claim, ClaimEvent, ClaimPhoto
from claims.photos import store_photo
from policies.reasons import DefectCategory, ReturnReason, ShippingPayer
from tests.factories import make_claim, new_customer, new_line
from tests.portal.images import image_bytes, upload

pytestmark = pytest.mark.django_db

FULL_RETURN_DECLARATION = {
    "intact_unused_packaged": "on",
    "no_user_damage": "on",
    "all_accessories_included": "on",
}


def is_checked(html: str, value: str) -> bool:
    return re.search(rf'<input[^>]*value="{value}"[^>]*checked', html) is not None


def return_url(line) -> str:
    return reverse("portal:file_return", args=[line.pk])


def warranty_url(line) -> str:
    return reverse("portal:file_warranty", args=[line.pk])


def return_data(**overrides):
    data = {
        "return_reason": ReturnReason.CHANGED_MIND,
        "quantity": "1",
        "description": "Not what I expected.",
        "action": "submit",
        **FULL_RETURN_DECLARATION,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def warranty_data(**overrides):
    data = {
        "defect_category": DefectCategory.PARTS_DO_NOT_FIT,
        "quantity": "1",
        "description": "The left wall does not fit the base.",
        "not_dropped_or_mishandled": "on",
        "no_third_party_repair": "on",
        "action": "submit",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- The return page ----------------------------------------------------------------


def test_the_return_page_states_who_pays_shipping_for_each_reason(signed_in, line):
    page = signed_in.get(return_url(line))
    assert page.status_code == 200
    text = page.content.decode()
    for reason in ReturnReason:
        assert str(reason.label) in text
    assert "shipping paid by ASM" in text
    assert "shipping paid by Customer" in text
    assert "You can return this item until" in text
    assert re.search(r'<input[^>]*name="quantity"[^>]*value="1"', text)


def test_the_chosen_reasons_payer_is_stated_before_submitting(signed_in, line):
    page = signed_in.post(
        return_url(line), return_data(return_reason=ReturnReason.SHIPPING_DAMAGE, action="upload")
    )
    assert "For the reason you chose, shipping is paid by ASM." in page.content.decode()
    assert not Claim.objects.exists()


def test_a_change_of_mind_return_is_filed_and_shown(signed_in, line, customer):
    response = signed_in.post(return_url(line), return_data())
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:claim_detail", args=[claim.rma_number])
    assert claim.kind == ClaimKind.RETURN
    assert claim.shipping_payer == ShippingPayer.CUSTOMER  # R6
    assert claim.declared_intact_unused_packaged
    assert claim.declared_all_accessories_included
    assert claim.filed_by is None
    assert ClaimEvent.objects.filter(claim=claim, kind=Status.SUBMITTED, actor=customer).exists()
    page = signed_in.get(response.url)
    assert claim.rma_number in page.content.decode()


@pytest.mark.parametrize(
    ("reason", "unticked", "accepted"),
    [
        (ReturnReason.CHANGED_MIND, "intact_unused_packaged", False),  # R2 required
        (ReturnReason.CHANGED_MIND, "no_user_damage", False),  # R3
        (ReturnReason.NOT_AS_DESCRIBED, "all_accessories_included", False),  # R4
        (ReturnReason.SHIPPING_DAMAGE, "intact_unused_packaged", True),  # R2 waived for the damage
        (ReturnReason.MANUFACTURING_DEFECT, "intact_unused_packaged", True),  # R2 waived for the defect
        (ReturnReason.MANUFACTURING_DEFECT, "no_user_damage", False),
        (ReturnReason.OTHER, "intact_unused_packaged", False),
    ],
)
def test_declarations_follow_the_reason_table(signed_in, line, customer, reason, unticked, accepted):
    photo = store_photo(owner=customer, upload=upload())
    data = return_data(return_reason=reason, **{unticked: None})
    response = signed_in.post(return_url(line), {**data, "photos": [photo.pk]})
    assert Claim.objects.exists() is accepted
    if not accepted:
        assert response.status_code == 200
        form = response.context["form"]
        assert unticked in form.errors
        assert "(R" in form.errors[unticked][0]
        # The photo and the typed fields are kept.
        assert [draft.pk for draft in form.draft_photos] == [photo.pk]
        assert f'name="photos" value="{photo.pk}"' in response.content.decode()
        assert "Not what I expected." in response.content.decode()


@pytest.mark.parametrize("reason", [ReturnReason.NOT_AS_DESCRIBED, ReturnReason.SHIPPING_DAMAGE])
def test_returns_for_damage_need_photos(signed_in, line, reason):
    response = signed_in.post(return_url(line), return_data(return_reason=reason))
    assert response.status_code == 200
    assert "new_photos" in response.context["form"].errors
    assert not Claim.objects.exists()


def test_a_return_with_photos_attaches_them(signed_in, line):
    response = signed_in.post(
        return_url(line),
        {
            **return_data(return_reason=ReturnReason.SHIPPING_DAMAGE),
            "new_photos": [upload("box.jpg"), upload("corner.png", image_bytes(format="PNG"))],
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert claim.shipping_payer == ShippingPayer.ASM  # R6
    assert sorted(claim.photos.values_list("original_name", flat=True)) == ["box.jpg", "corner.png"]


def test_a_rejected_photo_keeps_the_accepted_ones_and_the_fields(signed_in, line):
    response = signed_in.post(
        return_url(line),
        {
            **return_data(return_reason=ReturnReason.SHIPPING_DAMAGE, description="Crushed corner"),
            "new_photos": [upload("good.jpg"), upload("notes.png", b"%PDF-1.4 not an image")],
        },
    )
    assert response.status_code == 200
    assert not Claim.objects.exists()
    form = response.context["form"]
    assert "“notes.png”: this is not a JPEG, PNG or WebP photo." in form.errors["new_photos"]
    kept = ClaimPhoto.objects.get()
    assert kept.original_name == "good.jpg"
    assert kept.claim is None
    text = response.content.decode()
    assert f'name="photos" value="{kept.pk}"' in text
    assert "Crushed corner" in text
    assert is_checked(text, "shipping_damage")

    # The customer submits again without re-uploading: the kept photo goes with the claim.
    again = signed_in.post(
        return_url(line), {**return_data(return_reason=ReturnReason.SHIPPING_DAMAGE), "photos": [kept.pk]}
    )
    assert again.status_code == 302
    assert list(Claim.objects.get().photos.all()) == [kept]


def test_upload_button_keeps_a_draft_without_filing(signed_in, line):
    response = signed_in.post(return_url(line), {"action": "upload", "new_photos": [upload()]})
    assert response.status_code == 200
    assert not Claim.objects.exists()
    assert ClaimPhoto.objects.filter(claim__isnull=True).count() == 1


def test_remove_button_drops_a_draft(signed_in, line, customer):
    keep, drop = (store_photo(owner=customer, upload=upload()) for _ in range(2))
    response = signed_in.post(
        return_url(line), {**return_data(), "photos": [keep.pk, drop.pk], "remove_photo": drop.pk}
    )
    assert response.status_code == 200
    assert not Claim.objects.exists()
    assert response.context["form"].draft_photos == [keep]


def test_someone_elses_or_attached_photo_ids_are_ignored(signed_in, line):
    stranger_photo = store_photo(owner=new_customer(), upload=upload())
    response = signed_in.post(
        return_url(line),
        {**return_data(return_reason=ReturnReason.SHIPPING_DAMAGE), "photos": [stranger_photo.pk, "x"]},
    )
    assert response.status_code == 200
    assert "new_photos" in response.context["form"].errors  # photos required; the stranger's does not count
    stranger_photo.refresh_from_db()
    assert stranger_photo.claim is None


def test_photos_over_the_request_pixel_budget_are_refused_and_none_is_stored(signed_in, line):
    """Issue 11: each photo under the per-photo limit, together more than one request may decode."""
    side = 6324  # 40 megapixels each; three of them are over the request's budget
    huge = image_bytes(format="PNG", size=(side, side), mode="1", colour=0)
    response = signed_in.post(
        return_url(line),
        {
            **return_data(return_reason=ReturnReason.SHIPPING_DAMAGE, description="Crushed corner"),
            "new_photos": [upload(f"huge-{index}.png", huge, "image/png") for index in range(3)],
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["new_photos"]
    assert any("too large to process at once" in message for message in errors)
    assert "too large to process at once" in response.content.decode()
    assert not ClaimPhoto.objects.exists()
    assert not Claim.objects.exists()


def test_at_most_eight_photos(signed_in, line, customer):
    drafts = [store_photo(owner=customer, upload=upload()) for _ in range(8)]
    response = signed_in.post(
        return_url(line),
        {**return_data(), "photos": [photo.pk for photo in drafts], "new_photos": [upload("ninth.jpg")]},
    )
    assert response.status_code == 200
    assert "“ninth.jpg”: at most 8 photos per claim." in response.context["form"].errors["new_photos"]
    assert ClaimPhoto.objects.count() == 8


def test_a_double_submit_files_one_claim(signed_in, line):
    first = signed_in.post(return_url(line), return_data())
    second = signed_in.post(return_url(line), return_data())
    assert Claim.objects.count() == 1
    assert second.status_code == 302
    assert second.url == first.url


def test_posted_status_payer_and_customer_are_ignored(signed_in, line):
    stranger_line = new_line()
    signed_in.post(
        return_url(line),
        return_data(
            status=Status.APPROVED,
            shipping_payer=ShippingPayer.ASM,
            customer=stranger_line.order.customer.pk,
            order_line=stranger_line.pk,
            rma_number="RMA-HACK",
            target_on="2020-01-01",
        ),
    )
    claim = Claim.objects.get()
    assert claim.status == Status.SUBMITTED
    assert claim.shipping_payer == ShippingPayer.CUSTOMER
    assert claim.order_line == line
    assert claim.rma_number != "RMA-HACK"
    assert claim.target_on is None


def test_a_line_with_an_open_claim_goes_to_that_claim(signed_in, line):
    claim = make_claim(line=line)
    response = signed_in.get(return_url(line))
    assert response.status_code == 302
    assert response.url == reverse("portal:claim_detail", args=[claim.rma_number])


def test_quantity_cannot_exceed_what_is_left(signed_in, customer):
    line = new_line(order__customer=customer, quantity=2)
    response = signed_in.post(return_url(line), return_data(quantity="3"))
    assert "quantity" in response.context["form"].errors
    assert not Claim.objects.exists()


def test_an_undelivered_order_cannot_be_returned(signed_in, customer):
    line = new_line(order__customer=customer, order__delivered_on=None)
    response = signed_in.post(return_url(line), return_data())
    assert not Claim.objects.exists()
    assert "has not been delivered yet" in response.content.decode()


def test_an_undelivered_order_cannot_be_claimed_under_warranty(signed_in, customer):
    line = new_line(order__customer=customer, order__delivered_on=None)
    response = signed_in.get(reverse("portal:orders"))
    assert reverse("portal:file_warranty", args=[line.pk]) not in response.content.decode()
    filed = signed_in.post(
        reverse("portal:file_warranty", args=[line.pk]),
        {"defect_category": "manufacturing_breakage", "quantity": "1", "description": "Broken."},
    )
    assert not Claim.objects.exists()
    assert "a warranty claim can be filed once it arrives" in filed.content.decode()


# --- A late return with a defect ------------------------------------------------------


@pytest.fixture
def late_line(customer):
    """Delivered 20 days ago: past the 7-day return window, well inside the warranty."""
    today = timezone.localdate()
    return new_line(
        order__customer=customer,
        order__purchased_on=today - timedelta(days=25),
        order__delivered_on=today - timedelta(days=20),
    )


def test_a_late_return_with_a_defect_is_offered_the_warranty_path(signed_in, late_line, customer):
    photo = store_photo(owner=customer, upload=upload())
    response = signed_in.post(
        return_url(late_line),
        {
            **return_data(return_reason=ReturnReason.MANUFACTURING_DEFECT, description="Cracked tower"),
            "photos": [photo.pk],
        },
    )
    assert response.status_code == 200
    assert not Claim.objects.exists()
    assert response.context["warranty_category"] == DefectCategory.MANUFACTURING_BREAKAGE
    text = response.content.decode()
    assert "return window ended" in text
    assert "Continue as a warranty claim" in text

    carried = signed_in.post(
        warranty_url(late_line),
        {
            "carry_over": "1",
            "defect_category": DefectCategory.MANUFACTURING_BREAKAGE,
            "quantity": "1",
            "description": "Cracked tower",
            "photos": [photo.pk],
        },
    )
    assert carried.status_code == 200
    assert not carried.context["form"].errors
    text = carried.content.decode()
    assert "Cracked tower" in text
    assert f'name="photos" value="{photo.pk}"' in text
    assert is_checked(text, "manufacturing_breakage")

    filed = signed_in.post(
        warranty_url(late_line),
        warranty_data(
            defect_category=DefectCategory.MANUFACTURING_BREAKAGE,
            description="Cracked tower",
            photos=[photo.pk],
        ),
    )
    claim = Claim.objects.get()
    assert filed.status_code == 302
    assert claim.kind == ClaimKind.WARRANTY
    assert list(claim.photos.all()) == [photo]


def test_a_late_change_of_mind_gets_no_warranty_offer(signed_in, late_line):
    response = signed_in.post(return_url(late_line), return_data())
    assert response.context["warranty_category"] is None
    assert "Continue as a warranty claim" not in response.content.decode()


# --- Warranty ---------------------------------------------------------------------


def test_a_warranty_claim_is_filed_with_a_photo(signed_in, line):
    response = signed_in.post(warranty_url(line), {**warranty_data(), "new_photos": [upload()]})
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert claim.kind == ClaimKind.WARRANTY
    assert claim.defect_category == DefectCategory.PARTS_DO_NOT_FIT
    assert claim.shipping_payer == ShippingPayer.ASM  # W3 covered: R6
    assert claim.photos.count() == 1


def test_a_warranty_claim_needs_a_photo(signed_in, line):
    response = signed_in.post(warranty_url(line), warranty_data())
    assert "new_photos" in response.context["form"].errors
    assert not Claim.objects.exists()


@pytest.mark.parametrize("unticked", ["not_dropped_or_mishandled", "no_third_party_repair"])
def test_the_w4_w5_statement_is_required(signed_in, line, unticked):
    response = signed_in.post(
        warranty_url(line), {**warranty_data(**{unticked: None}), "new_photos": [upload()]}
    )
    assert response.status_code == 200
    assert "(W" in response.context["form"].errors[unticked][0]
    assert not Claim.objects.exists()
    assert ClaimPhoto.objects.filter(claim__isnull=True).count() == 1  # kept as a draft


def test_the_warranty_page_shows_the_w4_w5_explanations_for_the_script(signed_in, line):
    text = signed_in.get(warranty_url(line)).content.decode()
    assert 'data-field="not_dropped_or_mishandled"' in text
    assert "(W5)" in text


# --- Limits -----------------------------------------------------------------------


def test_filing_is_rate_limited(signed_in, customer, settings):
    settings.ASM_CLAIM_RATE_PER_CUSTOMER = 1
    first, second = (new_line(order__customer=customer) for _ in range(2))
    assert signed_in.post(return_url(first), return_data()).status_code == 302
    limited = signed_in.post(return_url(second), return_data())
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert Claim.objects.count() == 1


def test_uploads_are_rate_limited(signed_in, line, settings):
    settings.ASM_UPLOAD_RATE_PER_CUSTOMER = 2
    assert (
        signed_in.post(return_url(line), {"action": "upload", "new_photos": [upload(), upload()]}).status_code
        == 200
    )
    limited = signed_in.post(return_url(line), {"action": "upload", "new_photos": [upload()]})
    assert limited.status_code == 429
    assert limited.has_header("Retry-After")
    assert ClaimPhoto.objects.count() == 2


def test_too_many_files_in_one_request_get_the_friendly_400_page(signed_in, line, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    response = signed_in.post(return_url(line), {**return_data(), "new_photos": [upload() for _ in range(4)]})
    assert response.status_code == 400
    assert "try again with fewer files" in response.content.decode()
    assert not ClaimPhoto.objects.exists()
