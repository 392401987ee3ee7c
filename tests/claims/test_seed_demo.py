"""``manage.py seed_demo``: demo data for every role and every interesting date, idempotent."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from claims.demo import CUSTOMERS, STAFF, seed_demo
from claims.lifecycle import ClaimKind, Status
from claims.models import Claim, Order, User
from policies.eligibility import return_window, warranty_period
from policies.terms import current_terms

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Three staff passwords at full PBKDF2 strength would dominate these tests' time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def seed() -> str:
    out = io.StringIO()
    with override_settings(DEBUG=True):  # development only
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_with_debug_off_it_refuses_and_creates_nothing(settings):
    settings.DEBUG = False
    before = row_counts()
    with pytest.raises(CommandError, match="only with debug on"):
        call_command("seed_demo", stdout=io.StringIO())
    assert row_counts() == before


def test_one_staff_user_per_role_and_no_superuser():
    seed()

    for member in STAFF:
        user = User.objects.get(email=member.email)
        assert user.is_staff
        assert not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [member.role]
        assert user.check_password(member.password)
    assert not User.objects.filter(is_superuser=True).exists()


def test_customers_sign_in_by_link_so_have_no_password():
    seed()

    customers = User.objects.filter(email__in=CUSTOMERS)
    assert customers.count() == len(CUSTOMERS)
    assert not any(customer.has_usable_password() or customer.is_staff for customer in customers)


def test_orders_cover_each_window_relative_to_today():
    """R1 and W1 judged today: inside and outside each window, and not yet delivered."""
    seed()
    today, terms = timezone.localdate(), current_terms()
    orders = Order.objects.filter(customer__email="an@example.com")

    returnable = {
        order.number: return_window(delivered_on=order.delivered_on, today=today, terms=terms).eligible
        for order in orders
    }
    under_warranty = {
        order.number: warranty_period(
            purchased_on=order.purchased_on, delivered_on=order.delivered_on, today=today, terms=terms
        ).eligible
        for order in orders
    }
    assert returnable == {
        "ASM-DEMO-1001": True,
        "ASM-DEMO-1002": False,
        "ASM-DEMO-1003": False,
        "ASM-DEMO-1004": False,
    }
    assert under_warranty == {
        "ASM-DEMO-1001": True,
        "ASM-DEMO-1002": True,
        "ASM-DEMO-1003": False,
        "ASM-DEMO-1004": False,  # bought within the warranty, but not delivered yet
    }
    assert orders.get(number="ASM-DEMO-1004").delivered_on is None


def test_claims_in_many_states_walked_through_the_services():
    seed()

    claims = Claim.objects.all()
    assert set(claims.values_list("status", flat=True)) == set(Status) - {Status.EXPIRED}
    for claim in claims:
        # Every step left its event, the first being the filing.
        assert claim.events.values_list("to_status", flat=True)[0] == Status.SUBMITTED
        assert claim.events.filter(to_status=claim.status).exists()
    for claim in claims.filter(kind=ClaimKind.WARRANTY):
        photo = claim.photos.get()
        assert photo.image.name
        assert photo.thumbnail.name
        assert photo.width > 0


def test_received_claims_show_due_soon_and_overdue():
    """RP4 / WP4: one return past its target, one warranty claim past its deadline."""
    seed()
    today = timezone.localdate()

    due_soon = Claim.objects.get(order_line__order__number="ASM-DEMO-2004")
    overdue = Claim.objects.get(order_line__order__number="ASM-DEMO-3001")
    assert due_soon.target_on is not None
    assert due_soon.deadline_on is not None
    assert overdue.deadline_on is not None
    assert due_soon.target_on < today <= due_soon.deadline_on
    assert overdue.deadline_on < today


def test_running_it_twice_changes_nothing():
    first = seed()
    counts = row_counts()

    second = seed()

    assert "Demo data created" in first
    assert "nothing changed" in second
    assert row_counts() == counts


def test_on_a_later_day_unclaimed_orders_move_and_claimed_ones_stay():
    seed_demo()
    claimed = Order.objects.get(number="ASM-DEMO-2001")
    tomorrow = timezone.localdate() + timedelta(days=1)

    seed_demo(today=tomorrow)

    assert Order.objects.get(number="ASM-DEMO-1001").delivered_on == tomorrow - timedelta(days=2)
    assert Order.objects.get(number="ASM-DEMO-2001").delivered_on == claimed.delivered_on


def test_the_readme_lists_every_demo_login():
    readme = README.read_text(encoding="utf-8")

    for member in STAFF:
        assert member.email in readme
        assert member.password in readme
    for email in CUSTOMERS:
        assert email in readme
