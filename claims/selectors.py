"""Read queries of the claim domain (services write; selectors read)."""

from django.db.models import Q, Sum
from django.utils import timezone

from claims.lifecycle import Status
from claims.models import OPEN_STATUS_VALUES, Claim, ClaimKind, OrderLine, Outcome
from policies.eligibility import Declaration, Verdict, return_eligibility, warranty_eligibility
from policies.reasons import ReturnReason
from policies.terms import Terms

# A claim covers its items while open, and once resolved unless the items went
# back to the customer (RP5): those may still be claimed, e.g. under warranty.
COVERING_CLAIMS = Q(status__in=OPEN_STATUS_VALUES) | (
    Q(status=Status.RESOLVED) & ~Q(outcome=Outcome.RETURNED_TO_CUSTOMER)
)


def claimable_quantity(order_line: OrderLine) -> int:
    """The line's quantity less what other open or resolved claims already cover."""
    covered = order_line.claims.filter(COVERING_CLAIMS).aggregate(total=Sum("quantity"))["total"] or 0
    return max(order_line.quantity - covered, 0)


def eligibility_as_filed(claim: Claim) -> Verdict:
    """The verdict on the claim as filed: its own terms snapshot, judged on its filing date."""
    order = claim.order_line.order
    terms = Terms.from_snapshot(claim.policy_terms)
    filed_on = timezone.localdate(claim.submitted_at)
    declaration = Declaration(
        intact_unused_packaged=claim.declared_intact_unused_packaged,
        no_user_damage=claim.declared_no_user_damage,
        all_accessories_included=claim.declared_all_accessories_included,
        not_dropped_or_mishandled=claim.declared_not_dropped_or_mishandled,
        no_third_party_repair=claim.declared_no_third_party_repair,
    )
    if claim.kind == ClaimKind.RETURN:
        return return_eligibility(
            delivered_on=order.delivered_on,
            today=filed_on,
            terms=terms,
            reason=ReturnReason(claim.return_reason),
            declaration=declaration,
        )
    return warranty_eligibility(
        purchased_on=order.purchased_on, today=filed_on, terms=terms, declaration=declaration
    )
