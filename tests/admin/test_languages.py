"""The back office in Vietnamese: every page care and warehouse staff work on, with nothing left in English.

Django's admin strings come from Django's catalogue, with the few it lacks
supplied by ours (asm_portal/django_strings.py); staff switch language as customers do
(tests/portal/test_languages.py).
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from claims.lifecycle import Status
from claims.models import Claim
from tests.admin.conftest import staff
from tests.factories import ensure_roles, make_claim, new_line
from tests.languages import stray_english, vietnamese_claim

CARE_STEPS = ["approve", "reject", "note"]
# The event kinds the audit timeline lists as their codes (they become typed, with
# names, in claims/events.py): data, not interface.
NOT_INTERFACE = re.compile(r"\b(submitted|approved|received|inspected|resolved)\b")


@pytest.fixture
def care_in_vietnamese(db, settings) -> Client:
    settings.LANGUAGE_CODE = "vi"
    ensure_roles()
    member = staff("Care managers", email="thu@asm.example", full_name="Trần Thu")
    member.groups.add(*member.groups.model.objects.filter(name__in=["Care staff", "Warehouse staff"]))
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(member)
    return client


@pytest.fixture
def vietnamese_data(db) -> Claim:
    return vietnamese_claim()


def back_office_pages(resolved: Claim) -> list[str]:
    submitted = make_claim(
        Status.SUBMITTED, line=new_line(product__name="Mô hình Nhà thờ Đức Bà"), description="Gãy tháp."
    )
    received = make_claim(
        Status.RECEIVED, line=new_line(product__name="Mô hình Chùa Một Cột"), description="Gãy mái."
    )
    return [
        reverse("admin:index"),
        reverse("admin:claims_claim_changelist"),
        reverse("admin:claims_claim_changelist") + "?queue=care",
        reverse("admin:claims_claim_change", args=[resolved.pk]),
        reverse("admin:claims_claim_change", args=[submitted.pk]),
        reverse("admin:claims_claim_dashboard"),
        reverse("admin:claims_claim_warehouse"),
        reverse("admin:claims_claim_warehouse_claim", args=[received.pk]),
        *(
            reverse("admin:claims_claim_step", args=[submitted.pk, step])
            for step in ["approve", "reject", "note"]
        ),
    ]


def test_every_back_office_page_is_in_vietnamese(care_in_vietnamese, vietnamese_data):
    for url in back_office_pages(vietnamese_data):
        response = care_in_vietnamese.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert '<html lang="vi"' in page, url
        assert stray_english(NOT_INTERFACE.sub(" ", page)) == [], url


def test_amounts_in_the_back_office_are_in_dong(care_in_vietnamese, vietnamese_data):
    page = care_in_vietnamese.get(reverse("admin:claims_claim_change", args=[vietnamese_data.pk]))

    shown = page.content.decode()

    assert shown.count("1.250.000 ₫") == 2  # the unit price and the refund
