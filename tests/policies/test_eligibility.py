"""Eligibility (R1–R4, W1–W5): pure functions with today passed in; every verdict says why."""

from datetime import date

import pytest

from policies.eligibility import (
    Declaration,
    return_eligibility,
    return_window,
    warranty_eligibility,
    warranty_period,
)
from policies.reasons import ReturnReason
from policies.terms import Terms

TERMS = Terms()
EVERYTHING = Declaration(
    intact_unused_packaged=True,
    no_user_damage=True,
    all_accessories_included=True,
    not_dropped_or_mishandled=True,
    no_third_party_repair=True,
)
NOTHING = Declaration()


@pytest.mark.parametrize(
    ("today", "eligible", "days_left", "reason"),
    [
        (date(2026, 3, 1), True, 7, "You can return this item until Sunday, 8 March 2026."),
        (
            date(2026, 3, 8),
            True,
            0,
            "You can return this item until Sunday, 8 March 2026.",
        ),  # the last day counts
        (date(2026, 3, 9), False, 0, "The 7-day return window ended on Sunday, 8 March 2026."),
    ],
)
def test_r1_delivered_1_march(today, eligible, days_left, reason):
    verdict = return_window(delivered_on=date(2026, 3, 1), today=today, terms=TERMS)

    assert (verdict.eligible, verdict.days_left, verdict.reason) == (eligible, days_left, reason)
    assert verdict.last_day == date(2026, 3, 8)


def test_r1_a_longer_window_in_the_terms_is_honoured():
    verdict = return_window(
        delivered_on=date(2026, 3, 1), today=date(2026, 3, 12), terms=Terms(return_window_days=14)
    )

    assert verdict.eligible
    assert verdict.last_day == date(2026, 3, 15)


def test_r1_an_undelivered_order_cannot_be_returned_and_says_so():
    verdict = return_window(delivered_on=None, today=date(2026, 3, 1), terms=TERMS)

    assert not verdict.eligible
    assert verdict.reason == "This order has not been delivered yet, so it cannot be returned."


@pytest.mark.parametrize(
    ("reason", "declaration", "problems"),
    [
        (ReturnReason.CHANGED_MIND, EVERYTHING, set()),
        (
            ReturnReason.CHANGED_MIND,
            NOTHING,
            {"intact_unused_packaged", "no_user_damage", "all_accessories_included"},
        ),
        (
            ReturnReason.OTHER,
            NOTHING,
            {"intact_unused_packaged", "no_user_damage", "all_accessories_included"},
        ),
        (
            ReturnReason.NOT_AS_DESCRIBED,
            NOTHING,
            {"intact_unused_packaged", "no_user_damage", "all_accessories_included"},
        ),
        # R2 is waived for the damage or the defect; R3 and R4 still hold.
        (ReturnReason.SHIPPING_DAMAGE, NOTHING, {"no_user_damage", "all_accessories_included"}),
        (ReturnReason.MANUFACTURING_DEFECT, NOTHING, {"no_user_damage", "all_accessories_included"}),
        (
            ReturnReason.MANUFACTURING_DEFECT,
            Declaration(no_user_damage=True, all_accessories_included=True),
            set(),
        ),
    ],
)
def test_r2_r4_each_reason_requires_its_statements(reason, declaration, problems):
    verdict = return_eligibility(
        delivered_on=date(2026, 3, 1),
        today=date(2026, 3, 3),
        terms=TERMS,
        reason=reason,
        declaration=declaration,
    )

    assert set(verdict.problems) == problems
    assert verdict.eligible is (not problems)
    if problems:
        assert verdict.reason == "The item does not meet the return conditions for this reason."


@pytest.mark.parametrize(
    ("reason", "offered"),
    [
        (ReturnReason.MANUFACTURING_DEFECT, True),
        (ReturnReason.NOT_AS_DESCRIBED, True),
        (ReturnReason.SHIPPING_DAMAGE, False),
        (ReturnReason.CHANGED_MIND, False),
        (ReturnReason.OTHER, False),
    ],
)
def test_a_late_return_with_a_defect_is_offered_the_warranty_path(reason, offered):
    verdict = return_eligibility(
        delivered_on=date(2026, 3, 1),
        today=date(2026, 3, 20),
        terms=TERMS,
        reason=reason,
        declaration=EVERYTHING,
    )

    assert not verdict.eligible
    assert verdict.reason == "The 7-day return window ended on Sunday, 8 March 2026."
    assert verdict.offer_warranty is offered


def test_an_undelivered_order_is_not_offered_the_warranty_path_instead():
    verdict = return_eligibility(
        delivered_on=None,
        today=date(2026, 3, 20),
        terms=TERMS,
        reason=ReturnReason.MANUFACTURING_DEFECT,
        declaration=EVERYTHING,
    )

    assert not verdict.offer_warranty


@pytest.mark.parametrize(
    ("purchased_on", "today", "eligible", "reason"),
    [
        (date(2025, 3, 15), date(2026, 3, 15), True, "Under warranty until Sunday, 15 March 2026."),
        (
            date(2025, 3, 15),
            date(2026, 3, 16),
            False,
            "The 12-month warranty ended on Sunday, 15 March 2026.",
        ),
        (date(2024, 2, 29), date(2025, 2, 28), True, "Under warranty until Friday, 28 February 2025."),
        (
            date(2024, 2, 29),
            date(2025, 3, 1),
            False,
            "The 12-month warranty ended on Friday, 28 February 2025.",
        ),
    ],
)
def test_w1_twelve_months_from_purchase(purchased_on, today, eligible, reason):
    verdict = warranty_period(purchased_on=purchased_on, delivered_on=purchased_on, today=today, terms=TERMS)

    assert (verdict.eligible, verdict.reason) == (eligible, reason)


def test_w1_an_order_not_yet_delivered_cannot_be_claimed_under_warranty():
    verdict = warranty_period(
        purchased_on=date(2026, 3, 1), delivered_on=None, today=date(2026, 3, 2), terms=TERMS
    )

    assert not verdict.eligible
    assert "not been delivered yet" in verdict.reason


@pytest.mark.parametrize(
    ("declaration", "problems"),
    [
        (EVERYTHING, set()),
        (Declaration(no_third_party_repair=True), {"not_dropped_or_mishandled"}),  # W4
        (Declaration(not_dropped_or_mishandled=True), {"no_third_party_repair"}),  # W5
        (NOTHING, {"not_dropped_or_mishandled", "no_third_party_repair"}),
    ],
)
def test_w4_w5_the_customer_must_rule_out_the_exclusions(declaration, problems):
    verdict = warranty_eligibility(
        purchased_on=date(2025, 6, 1),
        delivered_on=date(2025, 6, 3),
        today=date(2026, 3, 1),
        terms=TERMS,
        declaration=declaration,
    )

    assert set(verdict.problems) == problems
    assert verdict.eligible is (not problems)


def test_w1_an_expired_warranty_is_refused_before_the_declaration_is_read():
    verdict = warranty_eligibility(
        purchased_on=date(2024, 1, 1),
        delivered_on=date(2024, 1, 3),
        today=date(2026, 3, 1),
        terms=TERMS,
        declaration=NOTHING,
    )

    assert not verdict.eligible
    assert verdict.problems == {}
    assert verdict.reason == "The 12-month warranty ended on Wednesday, 1 January 2025."
