"""The page cache: a second visit costs no query, and no write, session or message is ever missed."""

import os
import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from claims import page_cache
from claims.lifecycle import Status
from claims.models import Claim, Notification, Order, OrderLine
from claims.page_cache import GENERATION_KEY, new_generation
from claims.services import approve_claim
from policies.models import PolicyTerms
from tests.conftest import redis_caches
from tests.factories import make_claim, new_customer, new_staff

pytestmark = pytest.mark.django_db

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def claim(line: OrderLine) -> Claim:
    return make_claim(Status.SUBMITTED, line=line)


def queries_for(client: Client, url: str) -> tuple[int, str]:
    """How many queries a GET of ``url`` made, and the page it answered."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def without_tokens(page: str) -> str:
    return CSRF_FIELD.sub("", page)


def claim_url(claim: Claim) -> str:
    return reverse("portal:claim_detail", args=[claim.rma_number])


# --- Hits ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["orders", "claim"])
def test_a_second_visit_to_a_portal_page_makes_no_query(signed_in, claim, page):
    url = reverse("portal:orders") if page == "orders" else claim_url(claim)
    rendered_queries, rendered = queries_for(signed_in, url)
    cached_queries, cached = queries_for(signed_in, url)
    assert rendered_queries > 0
    assert cached_queries == 0
    assert without_tokens(cached) == without_tokens(rendered)


def test_a_second_visit_to_the_care_queue_makes_no_query(claim):
    care = Client()
    care.force_login(new_staff(role="Care staff"))
    url = reverse("admin:claims_claim_changelist")
    queries_for(care, url)
    cached_queries, cached = queries_for(care, url)
    assert cached_queries == 0
    assert claim.rma_number in cached


@pytest.mark.services
def test_a_second_visit_is_served_from_redis_with_the_session(customer, claim):
    with override_settings(CACHES=redis_caches(f"asm-portal-tests-{os.getpid()}-{time.time_ns()}")):
        new_generation()
        browser = Client()
        browser.force_login(customer)
        rendered = queries_for(browser, claim_url(claim))[1]
        cached_queries, cached = queries_for(browser, claim_url(claim))
        cache.delete(GENERATION_KEY)  # the one key that never expires
    assert cached_queries == 0
    assert without_tokens(cached) == without_tokens(rendered)


def test_the_cache_can_be_turned_off(signed_in, settings):
    settings.ASM_PAGE_CACHE_SECONDS = 0
    queries_for(signed_in, reverse("portal:orders"))
    assert queries_for(signed_in, reverse("portal:orders"))[0] > 0


def test_a_cached_page_says_it_varies_by_cookie_like_a_rendered_one(signed_in):
    rendered = signed_in.get(reverse("portal:orders"))
    cached = signed_in.get(reverse("portal:orders"))
    assert "Cookie" in cached["Vary"]
    assert cached["Vary"] == rendered["Vary"]
    assert cached["Content-Type"] == rendered["Content-Type"]


def test_a_cached_pages_form_token_is_accepted(customer):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer)
    queries_for(browser, reverse("portal:orders"))
    cached_queries, cached = queries_for(browser, reverse("portal:orders"))
    assert cached_queries == 0
    token = CSRF_FIELD.search(cached)
    assert token is not None
    response = browser.post(reverse("portal:sign_out"), {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302


def test_a_browser_with_another_csrf_secret_gets_tokens_of_its_own(customer):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer)
    queries_for(browser, reverse("portal:orders"))
    browser.cookies["csrftoken"] = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    rendered_queries, rendered = queries_for(browser, reverse("portal:orders"))
    assert rendered_queries > 0
    token = CSRF_FIELD.search(rendered)
    assert token is not None
    response = browser.post(reverse("portal:sign_out"), {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302


# --- Writes --------------------------------------------------------------------------


def approve(claim: Claim) -> None:
    approve_claim(claim=claim, actor=new_staff(role="Care staff"))


def save_description(claim: Claim) -> None:
    claim.description = "Written by a model save."
    claim.save(update_fields=["description"])


def update_in_bulk(claim: Claim) -> None:
    Claim.objects.filter(pk=claim.pk).update(description="Written by a bulk update.")


def edit_terms(claim: Claim) -> None:
    PolicyTerms.objects.update(contact_email="care-desk@asm.example")


def add_order_in_bulk(claim: Claim) -> None:
    bought = claim.order_line
    [order] = Order.objects.bulk_create(
        [
            Order(
                number="BULK-0001",
                customer=bought.order.customer,
                purchased_on=bought.order.purchased_on,
                delivered_on=bought.order.delivered_on,
            )
        ]
    )
    OrderLine.objects.bulk_create(
        [OrderLine(order=order, product=bought.product, quantity=1, unit_price=bought.unit_price)]
    )


@pytest.mark.parametrize(
    ("write", "page", "shown"),
    [
        (approve, "claim", "Approved"),
        (save_description, "claim", "Written by a model save."),
        (update_in_bulk, "claim", "Written by a bulk update."),
        (edit_terms, "claim", "care-desk@asm.example"),
        (add_order_in_bulk, "orders", "BULK-0001"),
    ],
)
def test_any_write_shows_on_the_next_visit(signed_in, claim, write, page, shown):
    url = reverse("portal:orders") if page == "orders" else claim_url(claim)
    queries_for(signed_in, url)
    assert shown not in queries_for(signed_in, url)[1]
    write(claim)
    assert shown in queries_for(signed_in, url)[1]


def test_writes_no_page_shows_keep_the_cache(signed_in, claim):
    someone_else = new_customer(email="someone.else@example.com")
    url = claim_url(claim)
    queries_for(signed_in, url)
    Notification.objects.create(recipient="ana@example.com", template_key="test", unique_key="test-1")
    SessionStore().create()
    Client().force_login(someone_else)  # a sign-in: a session, and the user's last_login
    assert queries_for(signed_in, url)[0] == 0


def test_a_user_saved_whole_retires_the_pages_though_its_last_login_alone_would_not(signed_in, customer):
    url = reverse("portal:orders")
    queries_for(signed_in, url)
    customer.last_login = timezone.now()
    customer.save()
    assert queries_for(signed_in, url)[0] > 0


@pytest.mark.django_db(transaction=True)
def test_a_transaction_starts_one_new_generation_once_committed(claim, monkeypatch):
    """And none before: until it commits, no other connection can see its writes."""
    started_inside_a_transaction = []

    def counted() -> None:
        started_inside_a_transaction.append(connection.in_atomic_block)
        new_generation()

    monkeypatch.setattr(page_cache, "new_generation", counted)
    with transaction.atomic():
        save_description(claim)
        update_in_bulk(claim)
    page_cache._renew_after_own_writes()  # what this thread's next page does first: nothing left to renew
    assert started_inside_a_transaction == [False]


def test_a_page_rendered_while_a_write_commits_is_not_served(signed_in, claim, monkeypatch):
    from claims.portal import views

    selector = views.claim_page

    def rendered_while_someone_writes(*args, **kwargs):
        page = selector(*args, **kwargs)
        new_generation()  # another process commits after this page's rows were read
        return page

    monkeypatch.setattr(views, "claim_page", rendered_while_someone_writes)
    queries_for(signed_in, claim_url(claim))
    monkeypatch.setattr(views, "claim_page", selector)
    assert queries_for(signed_in, claim_url(claim))[0] > 0


def test_a_release_serves_no_page_its_predecessor_rendered(signed_in):
    url = reverse("portal:orders")
    queries_for(signed_in, url)
    call_command("migrate", verbosity=0)  # the release step, even with nothing to migrate
    assert queries_for(signed_in, url)[0] > 0


def test_a_new_day_renders_afresh(signed_in, monkeypatch):
    url = reverse("portal:orders")
    queries_for(signed_in, url)
    now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: now() + timedelta(days=1))
    assert queries_for(signed_in, url)[0] > 0


# --- Who is served ---------------------------------------------------------------------


def test_each_customer_sees_only_their_own_page(signed_in, claim):
    other = Client()
    other.force_login(new_customer(email="someone.else@example.com"))
    signed_in.get(reverse("portal:orders"))
    page = other.get(reverse("portal:orders")).content.decode()
    assert "someone.else@example.com" in page
    assert claim.rma_number not in page


def test_a_signed_out_session_is_not_served(signed_in):
    url = reverse("portal:orders")
    queries_for(signed_in, url)
    old_session = signed_in.cookies["sessionid"].value
    signed_in.post(reverse("portal:sign_out"))
    stale = Client()
    stale.cookies["sessionid"] = old_session
    assert stale.get(url).status_code == 302


def test_a_deactivated_customer_is_not_served(signed_in, customer):
    url = reverse("portal:orders")
    queries_for(signed_in, url)
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    assert signed_in.get(url).status_code == 302


def test_care_staff_who_lose_their_role_are_refused_at_once(claim):
    member = new_staff(role="Care staff")
    care = Client()
    care.force_login(member)
    url = reverse("admin:claims_claim_changelist")
    queries_for(care, url)
    member.groups.remove(Group.objects.get(name="Care staff"))
    assert care.get(url).status_code == 403


def test_a_waiting_message_is_shown_once_and_not_cached(signed_in, claim):
    url = claim_url(claim)
    queries_for(signed_in, url)
    signed_in.post(reverse("portal:cancel", args=[claim.rma_number]))
    after_cancel = queries_for(signed_in, url)[1]
    assert "cancelled" in after_cancel.lower()
    cancelled_message = re.search(r'<div class="alert[^>]*>(.*?)</div>', after_cancel, re.S)
    assert cancelled_message is not None
    assert cancelled_message.group(1) not in queries_for(signed_in, url)[1]
