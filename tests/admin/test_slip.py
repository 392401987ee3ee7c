"""The RMA slip in the back office: care and the warehouse print it; anyone else gets 404."""

import pytest
from django.test import Client
from django.urls import reverse

from claims.lifecycle import Status
from claims.models import Claim
from tests.admin.conftest import signed_in, staff
from tests.factories import make_claim, new_staff
from tests.slips import pdf_text, slip_response_pdf

pytestmark = pytest.mark.django_db


def slip_url(claim: Claim, size: str = "a4") -> str:
    return reverse("admin:claims_claim_slip", args=[claim.pk, size])


@pytest.mark.parametrize("role", ["Care staff", "Warehouse staff", "Care managers"])
@pytest.mark.parametrize("size", ["a4", "a6"])
def test_each_role_handling_claims_prints_the_slip(role, size):
    claim = make_claim(Status.APPROVED)

    response = signed_in(staff(role)).get(slip_url(claim, size))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    _pages, text = pdf_text(slip_response_pdf(response))
    assert str(claim.rma_number) in text


def test_staff_without_a_role_get_404():
    claim = make_claim(Status.APPROVED)
    assert signed_in(new_staff(role="")).get(slip_url(claim)).status_code == 404


def test_the_customer_and_a_visitor_are_sent_to_the_admin_login():
    claim = make_claim(Status.APPROVED)
    for client in (signed_in(claim.order_line.order.customer), Client()):
        response = client.get(slip_url(claim))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_a_claim_not_approved_has_no_slip(care):
    claim = make_claim(Status.SUBMITTED)

    assert signed_in(care).get(slip_url(claim)).status_code == 404
    page = signed_in(care).get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    assert slip_url(claim) not in page


def test_the_claim_page_has_buttons_for_both_sizes(care):
    claim = make_claim(Status.APPROVED)

    page = signed_in(care).get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()

    assert slip_url(claim, "a4") in page
    assert slip_url(claim, "a6") in page


def test_an_unknown_claim_is_not_found(care):
    assert signed_in(care).get(reverse("admin:claims_claim_slip", args=[999999, "a4"])).status_code == 404
