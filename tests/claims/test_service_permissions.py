"""The services check the actor's role themselves, whoever calls them (as Wagtail's actions do).

A role that does not allow a step is refused with ``NotPermitted`` and nothing
is written: not the status, not an event, not an email.
"""

from typing import cast

import pytest
from django.utils import timezone

from claims.errors import NotPermitted
from claims.models import ClaimEvent, Message, Notification, User
from claims.services import add_internal_note, answer_info_request, mark_shipped
from tests.claims.test_services import SERVICES
from tests.factories import StaffFactory, make_claim

pytestmark = pytest.mark.django_db

# Each staff step and the roles that may not take it ("" is a staff account with no role).
REFUSED_ROLES = {
    "request_info": ["Warehouse staff", ""],
    "approve_claim": ["Warehouse staff", ""],
    "reject_claim": ["Warehouse staff", ""],
    "receive_claim": ["Care staff", "Care managers", ""],
    "record_inspection": ["Care staff", "Care managers", ""],
    "resolve_claim": ["Warehouse staff", ""],
}
CASES = [
    (name, role, status)
    for name, roles in REFUSED_ROLES.items()
    for role in roles
    for status in sorted(SERVICES[name].allowed_from)
]


def written() -> tuple[int, int, int]:
    return ClaimEvent.objects.count(), Notification.objects.count(), Message.objects.count()


@pytest.mark.parametrize(
    ("name", "role", "status"), CASES, ids=[f"{n}-by-{r or 'no role'}-from-{s}" for n, r, s in CASES]
)
def test_a_role_without_the_permission_is_refused_and_nothing_is_written(name, role, status):
    claim = make_claim(status)
    before = written()

    with pytest.raises(NotPermitted):
        SERVICES[name].call(claim, cast(User, StaffFactory(role=role)))

    claim.refresh_from_db()
    assert claim.status == status
    assert written() == before


def test_the_warehouse_cannot_act_for_the_customer():
    """Shipping and answering are the customer's steps; care (who may review) can take them for them."""
    shipped = make_claim("approved")
    asked = make_claim("info_requested")
    warehouse = cast(User, StaffFactory(role="Warehouse staff"))
    with pytest.raises(NotPermitted):
        mark_shipped(claim=shipped, actor=warehouse, shipped_on=timezone.localdate())
    with pytest.raises(NotPermitted):
        answer_info_request(claim=asked, actor=warehouse, answer="Here it is.")
    care = cast(User, StaffFactory(role="Care staff"))
    assert answer_info_request(claim=asked, actor=care, answer="Noted on the phone.").status == "submitted"


def test_an_internal_note_needs_a_role_that_sees_claims():
    claim = make_claim()
    with pytest.raises(NotPermitted):
        add_internal_note(claim=claim, actor=cast(User, StaffFactory(role="")), body="Hello")
    assert not Message.objects.filter(claim=claim).exists()
