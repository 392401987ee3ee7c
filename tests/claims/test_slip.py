"""The RMA slip's PDF: what it says, parsed back, and the codes a scanner reads from the printed page."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from claims.lifecycle import ClaimKind, Status
from claims.slip import SlipSize, has_slip, render_slip
from policies.reasons import DefectCategory, ShippingPayer
from tests.factories import make_claim, new_line
from tests.photos import make_photo
from tests.slips import WAREHOUSE, WARRANTY_CENTER, decoded_codes, page_image, pdf_text, set_destinations

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _destinations():
    set_destinations()


@pytest.mark.parametrize("size", list(SlipSize))
def test_the_slip_states_the_rma_number_the_items_the_address_and_the_terms(size):
    """RP3: the warehouse's address from the claim's snapshot; R6: who pays; the ship-by date."""
    line = new_line(product__name="Tàu Titanic 1:400", product__sku="TIT-400", quantity=2)
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL), tick=False):
        claim = make_claim(Status.APPROVED, line=line, quantity=2)

    pages, text = pdf_text(render_slip(claim, size=size))

    assert pages == 1
    assert str(claim.rma_number) in text
    assert "Tàu Titanic 1:400" in text
    assert "TIT-400" in text
    assert "× 2" in text
    assert line.order.number in text
    for address_line in WAREHOUSE.splitlines():
        assert address_line in text
    assert "warranty center" not in text
    assert "paid by you" in text  # "changed my mind": the customer pays (R6)
    if size == SlipSize.A4:
        # Approved 2 March, the claim expires 14 days later (the terms' default).
        assert "Send it by Monday, 16 March 2026" in text
        assert "Fold here" in text
    assert "Cut along the dashed line" in text


@pytest.mark.parametrize("size", list(SlipSize))
def test_the_qr_code_and_the_barcode_read_back_as_the_rma_number(size):
    claim = make_claim(Status.APPROVED)

    codes = decoded_codes(page_image(render_slip(claim, size=size), dpi=300))

    # Read at 300 dpi, as a laser printer prints it. The A4 sheet has both codes twice
    # (the half inside the parcel and the label): each reads the same.
    assert codes.get("QRCODE") == {claim.rma_number}
    assert codes.get("CODE128") == {claim.rma_number}


def test_a_warranty_slip_goes_to_the_warranty_center_and_says_asm_pays():
    """WP3: the warranty center's address; R6: ASM pays for a covered manufacturing defect."""
    line = new_line()
    claim = make_claim(
        Status.APPROVED,
        kind=ClaimKind.WARRANTY,
        line=line,
        photos=[make_photo(line.order.customer)],
        category=DefectCategory.MANUFACTURING_BREAKAGE,
    )
    assert claim.shipping_payer == ShippingPayer.ASM

    _pages, text = pdf_text(render_slip(claim, size=SlipSize.A6))

    assert "warranty center" in text
    assert WARRANTY_CENTER.splitlines()[0] in text
    assert WAREHOUSE.splitlines()[0] not in text
    assert "paid by ASM" in text


def test_an_address_managers_have_not_set_is_never_invented():
    set_destinations(warehouse="")
    claim = make_claim(Status.APPROVED)

    _pages, text = pdf_text(render_slip(claim))

    assert "The address will follow by email." in text


def test_the_snapshot_decides_the_address_not_todays_terms():
    claim = make_claim(Status.APPROVED)
    set_destinations(warehouse="A new warehouse\nsomewhere else")

    _pages, text = pdf_text(render_slip(claim))

    assert WAREHOUSE.splitlines()[0] in text
    assert "A new warehouse" not in text


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.SUBMITTED, False),
        (Status.INFO_REQUESTED, False),
        (Status.REJECTED, False),
        (Status.CANCELLED, False),
        (Status.APPROVED, True),
        (Status.RECEIVED, True),
        (Status.RESOLVED, True),
    ],
)
def test_a_slip_exists_once_the_claim_is_approved(status, expected):
    assert has_slip(make_claim(status)) is expected
