"""Scanning a parcel on the warehouse page: what each code finds, said clearly; a second scan is no error."""

import pytest
from django.urls import reverse

from claims.lifecycle import Status
from claims.services import receive_claim
from tests.admin.conftest import approved_on, signed_in, staff
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

WAREHOUSE = reverse("admin:claims_claim_warehouse")


def parcel_page(claim) -> str:
    return reverse("admin:claims_claim_warehouse_claim", args=[claim.pk])


def scan(client, code: str):
    return client.get(WAREHOUSE, {"rma": code}, follow=True)


def test_a_code_that_matches_no_claim_says_so(warehouse):
    response = scan(signed_in(warehouse), "4006381333931")  # a product's EAN, read by mistake

    assert response.redirect_chain == []
    assert "No claim has the RMA number “4006381333931”." in response.content.decode()


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Status.SUBMITTED, "Submitted"),
        (Status.INFO_REQUESTED, "Information requested"),
        (Status.REJECTED, "Rejected"),
        (Status.CANCELLED, "Cancelled"),
    ],
)
def test_a_claim_not_awaiting_the_warehouse_says_so(warehouse, status, label):
    claim = make_claim(status)

    response = scan(signed_in(warehouse), str(claim.rma_number))

    assert response.redirect_chain == []
    page = response.content.decode()
    assert f"{claim.rma_number} is “{label}”: the warehouse is not expecting its parcel." in page


def test_a_scanned_parcel_opens_with_mark_received_as_its_first_action(warehouse):
    claim = make_claim(Status.APPROVED)

    response = scan(signed_in(warehouse), str(claim.rma_number))

    assert response.redirect_chain == [(parcel_page(claim), 302)]
    page = response.content.decode()
    forms = [form.split("</form>", 1)[0] for form in page.split('<form method="post"')[1:]]
    first_form = next(form for form in forms if "setlang" not in form.split(">", 1)[0])  # the switcher
    assert 'value="receive"' in first_form
    assert "Mark received" in first_form
    assert "already received" not in page


def test_a_second_scan_says_when_and_by_whom_the_parcel_was_received(warehouse):
    receiver = staff("Warehouse staff", full_name="Trần Văn Kho")
    claim = make_claim(Status.APPROVED)
    receive_claim(claim=claim, actor=receiver, received_on=None)

    response = scan(signed_in(warehouse), str(claim.rma_number))

    # Still opened: the received parcel awaits its inspection.
    assert response.redirect_chain == [(parcel_page(claim), 302)]
    page = response.content.decode()
    assert f"{claim.rma_number} was already received on" in page
    assert "by Trần Văn Kho; it is now “Received”." in page


def test_a_scan_after_the_inspection_says_it_was_received_and_opens_nothing(warehouse):
    claim = make_claim(Status.INSPECTED)

    response = scan(signed_in(warehouse), str(claim.rma_number))

    assert response.redirect_chain == []
    assert "was already received on" in response.content.decode()
    assert "it is now “Inspected”." in response.content.decode()


def test_marking_received_twice_says_who_did_it_first(warehouse):
    claim = make_claim(Status.APPROVED)
    client = signed_in(warehouse)
    data = {"step": "receive", "received_on": approved_on(claim)}
    first_tab = client.get(parcel_page(claim))
    assert first_tab.status_code == 200
    client.post(parcel_page(claim), data)

    response = client.post(parcel_page(claim), data, follow=True)

    assert claim.events.filter(to_status=Status.RECEIVED).count() == 1
    assert f"{claim.rma_number} was already received on" in response.content.decode()


def test_the_scan_button_is_a_static_script_with_no_inline_code(warehouse):
    page = signed_in(warehouse).get(WAREHOUSE).content.decode()

    assert 'id="asm-scan-start"' in page
    assert "admin-extra/warehouse-scan.js" in page
    assert "vendor/zxing/zxing-library.min.js" in page  # loaded by the script where the browser has no reader
    body = page.split("<body", 1)[1]
    assert "<script>" not in body
    assert "style=" not in body.split("<footer", 1)[0]
