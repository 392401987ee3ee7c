"""Read queries: what is still claimable, and eligibility as the claim was filed."""

from datetime import timedelta
from decimal import Decimal
from typing import cast

import pytest
from django.utils import timezone

from claims.lifecycle import Outcome, Status
from claims.models import Claim, OrderLine, User
from claims.selectors import claimable_quantity, eligibility_as_filed
from claims.services import resolve_claim
from policies.models import PolicyTerms
from tests.factories import OrderFactory, OrderLineFactory, StaffFactory, days_ago, make_claim

pytestmark = pytest.mark.django_db


def line_of(quantity: int) -> OrderLine:
    return cast(OrderLine, OrderLineFactory(quantity=quantity))


def test_nothing_claimed_leaves_the_whole_line():
    assert claimable_quantity(line_of(3)) == 3


@pytest.mark.parametrize(
    ("status", "covered"),
    [
        (Status.SUBMITTED, 2),
        (Status.INFO_REQUESTED, 2),
        (Status.APPROVED, 2),
        (Status.RECEIVED, 2),
        (Status.INSPECTED, 2),
        (Status.RESOLVED, 2),  # refunded items are gone
        (Status.REJECTED, 0),
        (Status.CANCELLED, 0),
        (Status.EXPIRED, 0),
    ],
)
def test_open_and_resolved_claims_cover_their_quantity(status, covered):
    line = line_of(3)

    make_claim(status, line=line, quantity=2)

    assert claimable_quantity(line) == 3 - covered


def test_items_returned_to_the_customer_may_be_claimed_again():
    """RP5: the item came back to the customer, so a later claim (e.g. warranty) may cover it."""
    line = line_of(1)
    claim = make_claim(Status.INSPECTED, line=line)

    resolve_claim(
        claim=claim,
        actor=cast(User, StaffFactory()),
        outcome=Outcome.RETURNED_TO_CUSTOMER,
        note="The seal was broken.",
    )

    assert claimable_quantity(line) == 1


def test_claims_add_up_and_never_go_below_zero():
    line = line_of(3)
    make_claim(Status.RESOLVED, line=line, quantity=2)
    make_claim(Status.SUBMITTED, line=line, quantity=1)

    assert claimable_quantity(line) == 0
    OrderLine.objects.filter(pk=line.pk).update(quantity=2)  # a corrected order after the claims
    line.refresh_from_db()
    assert claimable_quantity(line) == 0


def test_eligibility_is_judged_on_the_filing_date_with_the_claims_own_terms():
    """PRODUCT.md: staff see eligibility as of filing, not today, under the snapshot."""
    order = OrderFactory(purchased_on=days_ago(9), delivered_on=days_ago(6))
    claim = make_claim(line=cast(OrderLine, OrderLineFactory(order=order)))
    PolicyTerms.objects.update(return_window_days=1)
    Claim.objects.filter(pk=claim.pk).update(submitted_at=timezone.now() - timedelta(days=1))
    claim.refresh_from_db()

    verdict = eligibility_as_filed(claim)

    assert verdict.eligible
    assert verdict.last_day == days_ago(6) + timedelta(days=7)


def test_a_resolved_refund_keeps_its_amount():
    claim = make_claim(Status.RESOLVED)

    assert claim.refund_amount == Decimal("1250000.00")
