"""Every portal URL with an id: the owner gets it, another customer 404, a stranger the sign-in page."""

import pytest
from django.test import Client
from django.urls import reverse

from claims.lifecycle import Status
from claims.photos import store_photo
from tests.factories import make_claim, new_staff
from tests.portal.images import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(line, customer):
    """One of each object the customer owns, and the URLs that name them: (method, url, owner's status)."""
    claim = make_claim(Status.INFO_REQUESTED, line=line)
    draft = store_photo(owner=customer, upload=upload())
    attached = store_photo(owner=customer, upload=upload(), claim=claim)
    inspection_photo = store_photo(owner=new_staff(), upload=upload(), claim=claim)
    rma = claim.rma_number
    return [
        ("get", reverse("portal:file_return", args=[line.pk]), 302),  # the open claim
        ("get", reverse("portal:file_warranty", args=[line.pk]), 302),
        ("post", reverse("portal:file_return", args=[line.pk]), 302),
        ("get", reverse("portal:claim_detail", args=[rma]), 200),
        ("post", reverse("portal:mark_shipped", args=[rma]), 200),  # the form, with its error
        ("post", reverse("portal:answer", args=[rma]), 200),
        ("get", reverse("portal:cancel", args=[rma]), 200),
        ("post", reverse("portal:cancel", args=[rma]), 302),
        ("get", reverse("claim_photo", args=[draft.pk]), 200),
        ("get", reverse("claim_photo_thumbnail", args=[draft.pk]), 200),
        ("get", reverse("claim_photo", args=[attached.pk]), 200),
        ("get", reverse("claim_photo_thumbnail", args=[inspection_photo.pk]), 200),  # evidence, shown
    ]


def test_the_owner_reaches_each_url(signed_in, owned):
    for method, url, expected in owned:
        response = getattr(signed_in, method)(url)
        assert response.status_code == expected, (method, url)


def test_another_customer_gets_404_everywhere(other_client, owned):
    for method, url, _expected in owned:
        assert getattr(other_client, method)(url).status_code == 404, (method, url)


def test_a_stranger_is_sent_to_sign_in(client, owned):
    for method, url, _expected in owned:
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response.url.startswith(reverse("portal:sign_in") + "?next="), url


def test_staff_see_photos(owned):
    staff = Client()
    staff.force_login(new_staff(role="Care staff"))
    photo_urls = [url for _method, url, _expected in owned if url.startswith("/photos/")]
    for url in photo_urls:
        assert staff.get(url).status_code == 200, url


def test_photos_are_served_privately_with_their_type(signed_in, customer):
    photo = store_photo(owner=customer, upload=upload())
    response = signed_in.get(reverse("claim_photo", args=[photo.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "url",
    [
        "/claims/RMA-2020-999999/",
        "/orders/lines/999999/return/",
        "/orders/lines/999999/warranty/",
        "/photos/999999/",
    ],
)
def test_unknown_ids_are_404(signed_in, url):
    response = signed_in.get(url)
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_every_form_needs_its_csrf_token(customer, line):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("portal:sign_in"), {"order_number": "X", "email": "a@b.c"}).status_code == 403
    strict.force_login(customer)
    response = strict.post(reverse("portal:file_return", args=[line.pk]), {})
    assert response.status_code == 403
    assert "Your form has expired" in response.content.decode()
