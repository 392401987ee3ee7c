"""The managers' dashboard: open claims by status, due soon, overdue, resolved within the deadline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.lifecycle import Status
from claims.models import Claim
from claims.selectors import deadline_dashboard
from tests.admin.conftest import signed_in
from tests.factories import make_claim

DASHBOARD = reverse("admin:claims_claim_dashboard")


def set_dates(claim: Claim, *, target_days: int, deadline_days: int, closed_days: int | None = None) -> None:
    """Place the dates relative to today (a fixture: the services set them on real days)."""
    now = timezone.now()
    today = timezone.localdate()
    changes = {
        "target_on": today + timedelta(days=target_days),
        "deadline_on": today + timedelta(days=deadline_days),
    }
    if closed_days is not None:
        changes["closed_at"] = now + timedelta(days=closed_days)
    Claim.objects.filter(pk=claim.pk).update(**changes)


@pytest.fixture
def claims_for_the_dashboard(db):
    make_claim(Status.SUBMITTED)
    make_claim(Status.SUBMITTED)
    make_claim(Status.APPROVED)
    set_dates(make_claim(Status.RECEIVED), target_days=0, deadline_days=2)  # due soon
    set_dates(make_claim(Status.INSPECTED), target_days=-4, deadline_days=-1)  # due soon and overdue
    set_dates(make_claim(Status.RESOLVED), target_days=-6, deadline_days=-3, closed_days=-4)  # in time
    set_dates(make_claim(Status.RESOLVED), target_days=-6, deadline_days=-3, closed_days=-2)  # late
    set_dates(make_claim(Status.RESOLVED), target_days=-9, deadline_days=-6, closed_days=-7)  # in time
    set_dates(
        make_claim(Status.RESOLVED), target_days=-50, deadline_days=-48, closed_days=-45
    )  # too long ago
    make_claim(Status.REJECTED)


def test_the_figures(claims_for_the_dashboard):
    figures = deadline_dashboard(today=timezone.localdate())
    assert dict(figures.open_by_status) == {
        Status.SUBMITTED: 2,
        Status.INFO_REQUESTED: 0,
        Status.APPROVED: 1,
        Status.RECEIVED: 1,
        Status.INSPECTED: 1,
    }
    assert figures.open_total == 5
    assert figures.due_soon == 2
    assert figures.overdue == 1
    assert (figures.resolved_recently, figures.resolved_in_time) == (3, 2)
    assert figures.share_in_time == pytest.approx(2 / 3)


def test_the_page_shows_figures_and_an_accessible_chart(claims_for_the_dashboard, manager):
    page = signed_in(manager).get(DASHBOARD).content.decode()
    assert '<span class="asm-figure" id="share-in-time">67%</span>' in page
    assert 'role="img"' in page
    assert '<desc id="chart-desc">' in page
    assert "Submitted: 2" in page
    assert "style=" not in page.split("<body", 1)[1]
    assert "<script>" not in page


@pytest.mark.django_db
def test_no_resolved_claims_yet(manager):
    page = signed_in(manager).get(DASHBOARD).content.decode()
    assert '<span class="asm-figure" id="share-in-time">—</span>' in page
