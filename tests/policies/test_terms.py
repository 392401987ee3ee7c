"""The policy terms: seeded with the guide's values, snapshotted per claim, read back safely."""

import json
from dataclasses import fields

import pytest

from policies.models import PolicyTerms
from policies.terms import Terms, current_terms


@pytest.mark.django_db
def test_the_seeded_terms_are_the_guides():
    """R1 7 days, W1 12 months, RP4 3–5 and WP4 7–10 business days; reminders and expiries of PRODUCT.md."""
    terms = current_terms()

    assert (terms.return_window_days, terms.warranty_months) == (7, 12)
    assert (terms.refund_target_business_days, terms.refund_deadline_business_days) == (3, 5)
    assert (terms.repair_target_business_days, terms.repair_deadline_business_days) == (7, 10)
    assert (terms.ship_reminder_days, terms.ship_expiry_days) == (7, 14)
    assert (terms.info_reminder_days, terms.info_expiry_days) == (5, 14)
    assert terms.warehouse_address
    assert terms.warranty_center_address


@pytest.mark.django_db
def test_current_terms_follow_a_managers_edit():
    PolicyTerms.objects.update(return_window_days=10)

    assert current_terms().return_window_days == 10


@pytest.mark.django_db
def test_without_a_row_the_guides_defaults_apply():
    PolicyTerms.objects.all().delete()

    assert current_terms() == Terms()


def test_a_snapshot_survives_json_and_reads_back_equal():
    terms = Terms(return_window_days=9, warehouse_address="12 Lê Lợi, District 1")

    assert Terms.from_snapshot(json.loads(json.dumps(terms.as_snapshot()))) == terms


def test_an_old_snapshot_reads_with_defaults_and_ignores_retired_keys():
    """Snapshots outlive the code: keys added later take their defaults, removed keys are ignored."""
    snapshot = {"return_window_days": 7, "retired_setting": True}

    terms = Terms.from_snapshot(snapshot)

    assert terms.return_window_days == 7
    assert terms.warranty_months == Terms().warranty_months


def test_every_term_is_a_field_managers_can_edit():
    model_fields = {field.name for field in PolicyTerms._meta.get_fields()}

    assert {field.name for field in fields(Terms)} <= model_fields
