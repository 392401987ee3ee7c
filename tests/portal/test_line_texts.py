"""My orders' sentences per line (claims/portal/line_texts.py): what the customer may still do, with a link
to a claim that was refused, in the customer's language."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from claims.lifecycle import ClaimKind, RejectReason, Status
from claims.portal import line_texts
from claims.portal.selectors import orders_page
from claims.services import reject_claim
from policies.terms import current_terms
from tests.factories import make_claim, new_line, new_staff
from tests.photos import make_photo

pytestmark = pytest.mark.django_db


def standing_of(customer, line):
    page = orders_page(customer=customer, today=timezone.localdate(), terms=current_terms())
    return next(standing for order in page.orders for standing in order.lines if standing.line.pk == line.pk)


def test_a_refused_return_links_to_its_claim(customer, line):
    """RP5: the line says the return was refused and links to that claim's page."""
    claim = make_claim(Status.SUBMITTED, line=line)
    reject_claim(claim=claim, actor=new_staff(), reason=RejectReason.CONDITION_NOT_MET, message="Opened.")
    text = line_texts.return_standing(standing_of(customer, line))
    link = reverse("portal:claim_detail", args=[claim.rma_number])
    assert text == (
        f'Your return <a href="{link}">{claim.rma_number}</a> was not accepted, '
        "so this item cannot be returned again."
    )


def test_a_refused_warranty_claim_links_to_its_claim(customer, line):
    claim = make_claim(Status.SUBMITTED, line=line, kind=ClaimKind.WARRANTY, photos=[make_photo(customer)])
    reject_claim(claim=claim, actor=new_staff(), reason=RejectReason.USER_DAMAGE, message="Dropped.")
    text = line_texts.warranty_standing(standing_of(customer, line))
    assert f'<a href="{reverse("portal:claim_detail", args=[claim.rma_number])}">' in text
    assert text.endswith("was not accepted, so it cannot be filed again.")


def test_the_days_left_are_counted_and_translated(customer, line):
    """R1: delivered 3 days ago, 4 days left; the same sentence in Vietnamese."""
    standing = standing_of(customer, line)
    assert line_texts.return_standing(standing).startswith("4 days left: until ")
    with translation.override("vi"):
        assert line_texts.return_standing(standing).startswith("Còn 4 ngày: đến hết ")


def test_a_refused_unit_leaves_the_lines_other_unit_returnable(customer):
    """RP5: a line of two, one unit's return refused: the other unit may still be returned."""
    line = new_line(order__customer=customer, quantity=2)
    first = make_claim(Status.SUBMITTED, line=line, quantity=1)
    reject_claim(claim=first, actor=new_staff(), reason=RejectReason.CONDITION_NOT_MET, message="Opened.")
    standing = standing_of(customer, line)
    assert standing.can_return
    assert standing.units_left(ClaimKind.RETURN) == 1
    assert line_texts.return_standing(standing).startswith("4 days left")

    second = make_claim(Status.SUBMITTED, line=line, quantity=1)
    reject_claim(claim=second, actor=new_staff(), reason=RejectReason.CONDITION_NOT_MET, message="Opened.")
    standing = standing_of(customer, line)
    assert not standing.can_return
    assert standing.can_claim_warranty
    assert str(second.rma_number) in line_texts.return_standing(standing)
