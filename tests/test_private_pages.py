"""A page that shows someone's data is ``Cache-Control: private, no-store``: a shared computer keeps none."""

import pytest
from django.test import Client
from django.urls import reverse

from claims.lifecycle import Status
from claims.models import User
from claims.photos import store_photo
from tests.factories import make_claim, new_line, new_staff
from tests.portal.images import upload

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_every_page_of_a_signed_in_customer_is_private(signed_in: Client, customer: User, line):
    claim = make_claim(Status.APPROVED, line=line)
    unclaimed = new_line(order__customer=customer)
    photo = store_photo(owner=customer, upload=upload())
    pages = [
        reverse("portal:orders"),
        reverse("portal:claim_detail", args=[claim.rma_number]),
        reverse("portal:file_return", args=[unclaimed.pk]),
        reverse("portal:file_warranty", args=[unclaimed.pk]),
        reverse("portal:cancel", args=[claim.rma_number]),
        reverse("portal:policy"),
        reverse("claim_photo", args=[photo.pk]),
        reverse("claim_photo_thumbnail", args=[photo.pk]),
    ]

    for page in pages:
        response = signed_in.get(page)
        assert response.status_code == 200, page
        assert {"private", "no-store"} <= directives(response), page
        assert "public" not in directives(response), page


def test_a_form_shown_again_with_its_errors_is_private(signed_in: Client, line):
    claim = make_claim(Status.APPROVED, line=line)

    response = signed_in.post(reverse("portal:mark_shipped", args=[claim.rma_number]), {"shipped_on": "x"})

    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_the_page_naming_the_address_a_link_went_to_is_private(client: Client, line):
    client.post(
        reverse("portal:sign_in"), {"order_number": line.order.number, "email": line.order.customer.email}
    )

    response = client.get(reverse("portal:sign_in_sent"))

    assert line.order.customer.email in response.content.decode()
    assert {"private", "no-store"} <= directives(response)


def test_a_staff_members_view_of_a_photo_is_private(customer: User):
    photo = store_photo(owner=customer, upload=upload())
    staff = Client()
    staff.force_login(new_staff(role="Care staff"))

    response = staff.get(reverse("claim_photo", args=[photo.pk]))

    assert {"private", "no-store"} <= directives(response)
