import pytest

from claims.lifecycle import Status
from tests.factories import make_claim


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(Status))
def test_make_claim_reaches_every_status(status):
    claim = make_claim(status)
    assert claim.status == status
    assert str(claim.rma_number).startswith("RMA-")
