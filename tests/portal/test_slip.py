"""The RMA slip on the customer's claim page: the claim's own access rule, 404 for anyone else."""

import pytest
from django.urls import reverse

from claims.lifecycle import Status
from claims.models import Claim
from tests.admin.conftest import signed_in, staff
from tests.factories import ensure_roles, make_claim
from tests.slips import pdf_text, set_destinations, slip_response_pdf

pytestmark = pytest.mark.django_db


def slip_url(claim: Claim, size: str = "a4") -> str:
    return reverse("portal:claim_slip", args=[claim.rma_number, size])


@pytest.fixture
def approved(line) -> Claim:
    set_destinations()
    return make_claim(Status.APPROVED, line=line)


@pytest.mark.parametrize("size", ["a4", "a6"])
def test_the_customer_downloads_the_slip_of_their_approved_claim(signed_in, approved, size):
    response = signed_in.get(slip_url(approved, size))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"{approved.rma_number}-slip-{size}.pdf" in str(response["Content-Disposition"])
    assert "no-store" in response["Cache-Control"]
    _pages, text = pdf_text(slip_response_pdf(response))
    assert str(approved.rma_number) in text


def test_the_claim_page_links_to_both_sizes(signed_in, approved):
    page = signed_in.get(reverse("portal:claim_detail", args=[approved.rma_number])).content.decode()

    assert slip_url(approved, "a4") in page
    assert slip_url(approved, "a6") in page


@pytest.mark.parametrize(
    "status", [Status.SUBMITTED, Status.INFO_REQUESTED, Status.REJECTED, Status.CANCELLED]
)
def test_a_claim_not_approved_has_no_slip(signed_in, line, status):
    claim = make_claim(status, line=line)

    assert signed_in.get(slip_url(claim)).status_code == 404
    page = signed_in.get(reverse("portal:claim_detail", args=[claim.rma_number])).content.decode()
    assert slip_url(claim) not in page


def test_an_unknown_size_is_not_found(signed_in, approved):
    assert signed_in.get(slip_url(approved, "a3")).status_code == 404


def test_another_customer_gets_404(other_client, approved):
    assert other_client.get(slip_url(approved)).status_code == 404


def test_a_visitor_not_signed_in_is_sent_to_sign_in_as_for_the_claim_page(client, approved):
    response = client.get(slip_url(approved))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:sign_in"))
    assert client.get(reverse("portal:claim_detail", args=[approved.rma_number])).status_code == 302


@pytest.mark.parametrize("role", ["Care staff", "Warehouse staff", "Care managers"])
def test_staff_get_404_on_the_customers_url(approved, role):
    """Staff print the slip from the back office (tests/admin/test_slip.py), not as the customer."""
    ensure_roles()
    assert signed_in(staff(role)).get(slip_url(approved)).status_code == 404
