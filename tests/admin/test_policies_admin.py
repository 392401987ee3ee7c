"""Managers edit the policy terms (new claims only: snapshot) and the closure days (business calendar)."""

from datetime import date

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from claims.lifecycle import Status
from policies.calendar import load_business_calendar
from policies.models import ClosureDay, PolicyTerms
from tests.admin.conftest import signed_in
from tests.factories import make_claim


@pytest.mark.django_db
def test_edited_terms_apply_to_new_claims_only(manager):
    filed_before = make_claim(Status.SUBMITTED)
    terms = PolicyTerms.objects.get()
    data = {key: value for key, value in model_to_dict(terms).items() if key not in ("id", "updated_at")}
    response = signed_in(manager).post(
        reverse("admin:policies_policyterms_change", args=[terms.pk]), {**data, "return_window_days": 10}
    )
    assert response.status_code == 302
    filed_before.refresh_from_db()
    assert filed_before.policy_terms["return_window_days"] == 7
    assert make_claim(Status.SUBMITTED).policy_terms["return_window_days"] == 10


@pytest.mark.django_db
def test_terms_cannot_be_duplicated_or_deleted(manager, superuser):
    terms = PolicyTerms.objects.get()
    for user in (manager, superuser):
        client = signed_in(user)
        assert client.get(reverse("admin:policies_policyterms_add")).status_code == 403
        assert client.get(reverse("admin:policies_policyterms_delete", args=[terms.pk])).status_code == 403


@pytest.mark.django_db
def test_a_closure_day_feeds_the_business_calendar(manager):
    response = signed_in(manager).post(
        reverse("admin:policies_closureday_add"), {"date": "2026-03-09", "description": "Stocktaking"}
    )
    assert response.status_code == 302
    assert ClosureDay.objects.get().description == "Stocktaking"
    assert not load_business_calendar(around=date(2026, 3, 9)).is_business_day(date(2026, 3, 9))
