"""The public pages, "my orders", and the look every page shares."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.lifecycle import Status
from policies.models import PolicyTerms
from tests.factories import make_claim, new_customer, new_line, new_order

pytestmark = pytest.mark.django_db


def test_the_policy_page_reads_its_numbers_from_the_terms(client):
    PolicyTerms.objects.update(
        return_window_days=9,
        warranty_months=18,
        refund_target_business_days=4,
        refund_deadline_business_days=6,
    )
    text = client.get(reverse("portal:policy")).content.decode()
    assert "within 9 days" in text
    assert "18-month warranty" in text
    assert "4–6 business days" in text


def test_contact_channels_are_in_every_page_footer(client, signed_in, line):
    PolicyTerms.objects.update(contact_email="help@asm.example", contact_phone="+84 28 1234 5678")
    for page_client, url in [
        (client, reverse("portal:sign_in")),
        (client, reverse("portal:policy")),
        (client, "/no-such-page/"),
        (signed_in, reverse("portal:orders")),
        (signed_in, reverse("portal:file_return", args=[line.pk])),
    ]:
        text = page_client.get(url).content.decode()
        assert "help@asm.example" in text, url
        assert "+84 28 1234 5678" in text, url


def test_pages_have_no_inline_scripts_or_styles(client, signed_in, line):
    for page_client, url in [
        (client, reverse("portal:sign_in")),
        (client, reverse("portal:policy")),
        (signed_in, reverse("portal:orders")),
        (signed_in, reverse("portal:file_return", args=[line.pk])),
        (signed_in, reverse("portal:file_warranty", args=[line.pk])),
    ]:
        text = page_client.get(url).content.decode()
        assert "style=" not in text, url
        assert "<style" not in text, url
        assert "<script>" not in text, url
        assert "<script src=" in text, url


def test_my_orders_shows_each_lines_standing(signed_in, customer):
    today = timezone.localdate()
    fresh = new_line(order__customer=customer, product__name="Lighthouse")
    late = new_line(
        order__customer=customer,
        order__purchased_on=today - timedelta(days=40),
        order__delivered_on=today - timedelta(days=30),
        product__name="Windmill",
    )
    old = new_line(
        order__customer=customer,
        order__purchased_on=today - timedelta(days=800),
        order__delivered_on=today - timedelta(days=795),
        product__name="Castle",
    )
    undelivered = new_line(order__customer=customer, order__delivered_on=None, product__name="Bridge")
    claimed = new_line(order__customer=customer, product__name="Harbour")
    claim = make_claim(line=claimed)

    response = signed_in.get(reverse("portal:orders"))
    standings = {
        standing.line.product.name: standing
        for order in response.context["orders"]
        for standing in order.lines
    }
    assert standings["Lighthouse"].can_return
    assert standings["Lighthouse"].return_verdict.days_left == 4  # delivered 3 days ago (R1)
    assert not standings["Windmill"].can_return
    assert standings["Windmill"].can_claim_warranty
    assert not standings["Castle"].can_claim_warranty
    assert not standings["Bridge"].can_return
    assert not standings["Bridge"].can_claim_warranty  # nothing to send back before it arrives
    assert "Once it arrives, you can return it or claim under warranty here." in response.content.decode()
    assert standings["Harbour"].open_claim == claim
    text = response.content.decode()
    assert "4 days left: until" in text
    assert "return window ended on" in text
    assert "warranty ended on" in text
    assert "has not been delivered yet" in text
    assert "Under warranty until" in text
    assert claim.rma_number in text
    assert reverse("portal:file_return", args=[fresh.pk]) in text
    assert reverse("portal:file_return", args=[late.pk]) not in text
    assert reverse("portal:file_warranty", args=[late.pk]) in text
    assert reverse("portal:file_warranty", args=[old.pk]) not in text
    assert reverse("portal:file_return", args=[undelivered.pk]) not in text


def test_my_orders_shows_nothing_of_anyone_else(signed_in, customer):
    new_line(order__customer=customer, product__name="Mine")
    new_line(order__customer=new_customer(), product__name="Theirs", order__number="ASM-OTHER")
    text = signed_in.get(reverse("portal:orders")).content.decode()
    assert "Mine" in text
    assert "Theirs" not in text
    assert "ASM-OTHER" not in text


def test_a_fully_claimed_line_offers_nothing_more(signed_in, line):
    make_claim(Status.RESOLVED, line=line)
    response = signed_in.get(reverse("portal:orders"))
    standing = response.context["orders"][0].lines[0]
    assert standing.claimable_quantity == 0
    assert standing.open_claim is None
    assert "already covered by a claim" in response.content.decode()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def add_orders(customer, count: int) -> None:
    """Orders of two lines each, one line with a claim on it."""
    for _ in range(count):
        order = new_order(customer=customer)
        make_claim(line=new_line(order=order))
        new_line(order=order)


def test_my_orders_query_count_is_the_same_for_1_and_50_orders(signed_in, customer):
    add_orders(customer, 1)
    with_one = count_queries(signed_in, reverse("portal:orders"))
    add_orders(customer, 49)
    assert count_queries(signed_in, reverse("portal:orders")) == with_one
    assert with_one <= 8  # session, user, terms ×2 (page, footer), orders, lines, claims ×2


def test_the_claim_page_query_count_is_the_same_for_1_and_50_orders(signed_in, customer, line):
    claim = make_claim(Status.INFO_REQUESTED, line=line)
    url = reverse("portal:claim_detail", args=[claim.rma_number])
    with_one = count_queries(signed_in, url)
    add_orders(customer, 49)
    assert count_queries(signed_in, url) == with_one
    assert with_one <= 7
