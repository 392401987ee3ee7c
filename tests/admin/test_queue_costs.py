"""What the care queue costs with a long history: no COUNT(*) over every claim, urgency read from an index."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.admin.pagination import EstimatedCountPaginator
from claims.lifecycle import Status
from claims.models import Claim
from tests.admin.conftest import signed_in
from tests.factories import make_claim

CHANGELIST = reverse("admin:claims_claim_changelist")


@pytest.fixture
def statistics_say_long(postgres, monkeypatch) -> None:
    """Three claims, analysed, and a threshold low enough that the whole queue counts as long."""
    for status in (Status.SUBMITTED, Status.SUBMITTED, Status.RECEIVED):
        make_claim(status)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 1)


@pytest.mark.django_db
def test_the_whole_queue_is_counted_from_the_statistics_and_says_so(care, statistics_say_long):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'claims_claim'")
        (estimate,) = cursor.fetchone()
    client = signed_in(care)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    assert response.context["cl"].paginator.is_estimated
    assert response.context["cl"].result_count == estimate
    assert f"about {estimate} claims" in " ".join(response.content.decode().split())
    assert not [query for query in queries if "COUNT(" in query["sql"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["?status__exact=submitted", "?queue=open&o=8", "?q=RMA-", "?kind__exact=return"]
)
def test_a_filtered_or_searched_queue_is_counted_exactly(care, statistics_say_long, query):
    response = signed_in(care).get(CHANGELIST + query)
    cl = response.context["cl"]
    assert not cl.paginator.is_estimated
    assert cl.result_count == cl.queryset.count()
    assert "about" not in response.content.decode().split('class="paginator"')[1].split("</p>")[0]


@pytest.mark.django_db
def test_a_short_queue_is_counted_exactly(care):
    make_claim(Status.SUBMITTED)
    cl = signed_in(care).get(CHANGELIST).context["cl"]
    assert not cl.paginator.is_estimated
    assert cl.result_count == 1


@pytest.mark.django_db
def test_most_urgent_first_reads_the_open_claims_in_order_from_their_index(care, postgres):
    """The index holds the queue's own next-date expression: a change to one without the other shows here."""
    make_claim(Status.RECEIVED)
    urgent_url = signed_in(care).get(CHANGELIST).context["urgent_url"]
    queryset = signed_in(care).get(CHANGELIST + urgent_url).context["cl"].queryset
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    plan = queryset[:50].explain()
    assert "claim_open_next_date" in plan
    assert "Sort Key" not in plan


@pytest.mark.django_db
def test_the_row_checkbox_is_djangos_own(care):
    """The queue writes its rows itself: each checkbox is still the one Django's actions script selects."""
    claim = make_claim(Status.SUBMITTED)
    Claim.objects.filter(pk=claim.pk).update(rma_number='RMA-<"&>')
    claim.refresh_from_db()
    page = signed_in(care).get(CHANGELIST).content.decode()
    model_admin = admin.site.get_model_admin(Claim)
    assert admin.ModelAdmin.action_checkbox(model_admin, claim) in page
