"""What the busiest portal pages cost to render: no session-table read; the policy terms read once
into the cache, then from it until a manager changes them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.lifecycle import Status
from policies.eligibility import return_window
from policies.models import PolicyTerms
from policies.terms import Terms
from tests.factories import make_claim

pytestmark = pytest.mark.django_db


def tables_read(client, url: str) -> list[str]:
    """The first table of each query a GET of ``url`` makes."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [
        query["sql"].split(" FROM ")[1].split()[0].strip('"') for query in queries if " FROM " in query["sql"]
    ]


def test_a_signed_in_page_reads_its_session_from_the_cache(signed_in, line):
    signed_in.get(reverse("portal:orders"))  # the first read fills the cache
    assert "django_session" not in tables_read(signed_in, reverse("portal:orders"))


@pytest.mark.parametrize("page", ["portal:orders", "portal:policy", "portal:file_return"])
def test_a_page_reads_the_policy_terms_once_then_from_the_cache(signed_in, line, page):
    url = reverse(page, args=[line.pk]) if page == "portal:file_return" else reverse(page)
    assert tables_read(signed_in, url).count("policies_policyterms") == 1
    assert tables_read(signed_in, url).count("policies_policyterms") == 0


def test_the_footer_and_the_windows_follow_a_managers_edit_at_once(signed_in, line):
    url = reverse("portal:orders")
    signed_in.get(url)
    terms = PolicyTerms.objects.get()
    terms.contact_email = "care-desk@asm.example"
    terms.return_window_days = 30
    terms.save()
    window = return_window(
        delivered_on=line.order.delivered_on, today=timezone.localdate(), terms=Terms.from_model(terms)
    )
    text = signed_in.get(url).content.decode()
    assert "care-desk@asm.example" in text
    assert f"{window.days_left} days left" in text


def test_the_claim_page_reads_the_session_and_the_terms_from_the_cache(signed_in, line):
    claim = make_claim(Status.INFO_REQUESTED, line=line)
    url = reverse("portal:claim_detail", args=[claim.rma_number])
    signed_in.get(url)
    tables = tables_read(signed_in, url)
    assert "django_session" not in tables
    assert "policies_policyterms" not in tables
    # The questions and answers are the notes of the events that carried them: no messages read.
    assert tables == ["claims_user", "claims_claim", "claims_claimevent", "claims_claimphoto"]


def test_my_orders_reads_the_lines_with_their_orders_then_the_claims(signed_in, line):
    make_claim(Status.SUBMITTED, line=line)
    url = reverse("portal:orders")
    signed_in.get(url)
    assert tables_read(signed_in, url) == ["claims_user", "claims_orderline", "claims_claim"]
