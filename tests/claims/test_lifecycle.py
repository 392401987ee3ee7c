"""The lifecycle table is PRODUCT.md's diagram, edge for edge."""

import pytest

from claims.lifecycle import ALLOWED_TRANSITIONS, CLOSED_STATUSES, OPEN_STATUSES, Status, can_transition

S = Status
# PRODUCT.md, "Claim lifecycle", read arrow by arrow.
DIAGRAM = {
    (S.SUBMITTED, S.INFO_REQUESTED),
    (S.INFO_REQUESTED, S.SUBMITTED),  # the customer answers
    (S.SUBMITTED, S.APPROVED),
    (S.APPROVED, S.RECEIVED),
    (S.RECEIVED, S.INSPECTED),
    (S.INSPECTED, S.RESOLVED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.CANCELLED),
    (S.INFO_REQUESTED, S.CANCELLED),
    (S.APPROVED, S.CANCELLED),
    (S.INFO_REQUESTED, S.EXPIRED),
    (S.APPROVED, S.EXPIRED),
}
EVERY_PAIR = [(current, target) for current in Status for target in Status]


def test_every_status_has_a_row():
    assert set(ALLOWED_TRANSITIONS) == set(Status)


@pytest.mark.parametrize(("current", "target"), EVERY_PAIR, ids=[f"{a}->{b}" for a, b in EVERY_PAIR])
def test_a_transition_is_allowed_exactly_when_the_diagram_draws_it(current, target):
    assert can_transition(current, target) is ((current, target) in DIAGRAM)


def test_closed_statuses_are_the_ends_of_the_diagram():
    assert {S.RESOLVED, S.REJECTED, S.CANCELLED, S.EXPIRED} == CLOSED_STATUSES
    assert all(not ALLOWED_TRANSITIONS[status] for status in CLOSED_STATUSES)
    assert set(Status) - CLOSED_STATUSES == OPEN_STATUSES
    assert all(ALLOWED_TRANSITIONS[status] for status in OPEN_STATUSES)
