"""The benchmarks' shared fixture: 100,000 claims on PostgreSQL, the staff who work them, signed-in browsers.

The fixture is written with ``bulk_create``, bypassing the claim services:
10,000 customers, 100,000 order lines and one claim on each, in a spread of
statuses, with the inspections of the inspected and resolved ones. It is
filled once per database and reused.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# As in production (debug off, hashed static files), plus the benchmarks' peers (benchmarks/urls.py).
# One secret key for every process, so that the sessions made here verify under gunicorn.
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
    }
)

CLAIMS = 100_000
LINES_PER_ORDER = 5
CUSTOMERS = 10_000
BATCH = 5_000


def setup_django() -> None:
    import django

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own for this benchmark.")
    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest the pages link through


def fill_database() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from claims.lifecycle import Status
    from claims.models import Claim, ClaimKind, Inspection, Order, OrderLine, Product, User
    from policies.reasons import ReturnReason, ShippingPayer
    from policies.terms import current_terms

    call_command("migrate", verbosity=0)
    if Claim.objects.count() >= CLAIMS:
        return
    print(f"Filling {CLAIMS:,} claims (bulk inserts, once)…", flush=True)
    now = timezone.now()
    today = timezone.localdate()
    snapshot = current_terms().as_snapshot()
    products = Product.objects.bulk_create(
        [Product(sku=f"BENCH-{index:04d}", name=f"Diorama kit {index}") for index in range(200)]
    )
    customers = User.objects.bulk_create(
        [
            User(email=f"bench{index}@example.com", full_name=f"Customer {index}")
            for index in range(CUSTOMERS)
        ],
        batch_size=BATCH,
    )
    orders = Order.objects.bulk_create(
        [
            Order(
                number=f"BENCH{index:07d}",
                customer=customers[index % CUSTOMERS],
                purchased_on=today - timedelta(days=index % 300 + 3),
                delivered_on=today - timedelta(days=index % 300 + 1),
            )
            for index in range(CLAIMS // LINES_PER_ORDER)
        ],
        batch_size=BATCH,
    )
    lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=orders[index // LINES_PER_ORDER],
                product=products[index % LINES_PER_ORDER + (index // LINES_PER_ORDER) % 40 * LINES_PER_ORDER],
                quantity=1,
                unit_price=Decimal("1250000.00"),
            )
            for index in range(CLAIMS)
        ],
        batch_size=BATCH,
    )
    statuses = [
        Status.RESOLVED,
        Status.RESOLVED,
        Status.RESOLVED,
        Status.REJECTED,
        Status.CANCELLED,
        Status.SUBMITTED,
        Status.APPROVED,
        Status.RECEIVED,
        Status.INSPECTED,
        Status.INFO_REQUESTED,
    ]
    claims = []
    for index, line in enumerate(lines):
        status = statuses[index % len(statuses)]
        submitted_at = now - timedelta(minutes=index * 5)
        received = status in (Status.RECEIVED, Status.INSPECTED, Status.RESOLVED)
        claims.append(
            Claim(
                kind=ClaimKind.RETURN if index % 3 else ClaimKind.WARRANTY,
                rma_number=f"RMA-BENCH-{index:07d}",
                order_line=line,
                quantity=1,
                status=status,
                return_reason=ReturnReason.CHANGED_MIND if index % 3 else "",
                defect_category="" if index % 3 else "manufacturing_breakage",
                description="Benchmark claim.",
                shipping_payer=ShippingPayer.CUSTOMER if index % 3 else ShippingPayer.ASM,
                policy_terms=snapshot,
                submitted_at=submitted_at,
                info_requested_at=submitted_at if status == Status.INFO_REQUESTED else None,
                approved_at=submitted_at + timedelta(hours=4) if status not in (Status.SUBMITTED,) else None,
                received_at=submitted_at + timedelta(days=3) if received else None,
                target_on=timezone.localdate(submitted_at) + timedelta(days=6) if received else None,
                deadline_on=timezone.localdate(submitted_at) + timedelta(days=8) if received else None,
                closed_at=submitted_at + timedelta(days=6) if status == Status.RESOLVED else None,
            )
        )
    claims = Claim.objects.bulk_create(claims, batch_size=BATCH)
    Inspection.objects.bulk_create(
        [
            Inspection(
                claim=claim,
                inspector=customers[0],
                found_intact_unused_packaged=True,
                found_no_user_damage=index % 7 != 0,
                found_all_accessories_included=True,
                signs_of_user_damage=False,
                signs_of_third_party_repair=False,
                defect_confirmed=False,
                shipping_damage_confirmed=False,
                mismatches=[] if index % 7 else ["R3"],
            )
            for index, claim in enumerate(claims)
            if claim.status in (Status.INSPECTED, Status.RESOLVED)
        ],
        batch_size=BATCH,
    )
    with connection.cursor() as cursor:
        # As autovacuum leaves a table in steady use: statistics and the visibility map.
        cursor.execute("VACUUM ANALYZE")


STAFF = {
    "care": ("bench-care@asm.example", "Care staff"),
    "warehouse": ("bench-warehouse@asm.example", "Warehouse staff"),
    "manager": ("bench-manager@asm.example", "Care managers"),
}


def staff_email(role: str) -> str:
    """The benchmark's staff member in ``role`` (a key of ``STAFF``), created once."""
    from django.contrib.auth.models import Group

    from claims.models import User

    email, group = STAFF[role]
    user, _created = User.objects.get_or_create(email=email, defaults={"is_staff": True, "full_name": group})
    user.groups.add(Group.objects.get(name=group))
    return email


def customer_claims(count: int) -> list[tuple[str, str]]:
    """``count`` (customer email, RMA number) pairs, one per customer: whom the portal pages rotate over."""
    from claims.models import Claim

    pairs = (
        Claim.objects.filter(order_line__order__customer__email__startswith="bench")
        .order_by("order_line__order__customer_id", "pk")
        .distinct("order_line__order__customer_id")
        .values_list("order_line__order__customer__email", "rma_number")[:count]
    )
    return [(email, str(rma)) for email, rma in pairs]


def browser_cookies(user_email: str) -> dict[str, str]:
    """A signed-in browser's cookies for ``user_email``: its session, and the CSRF cookie any page sets."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    from claims.models import User

    user = User.objects.get(email=user_email)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "asm_portal.auth_backends.PasswordBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {
        settings.SESSION_COOKIE_NAME: str(session.session_key),
        settings.CSRF_COOKIE_NAME: get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS),
    }


PORTAL_CUSTOMERS = 200
QUEUE_PAGES = 5


@dataclass(frozen=True)
class Page:
    """A page the benchmarks measure: the addresses its requests take in turn, and its peer's name."""

    name: str
    addresses: list[tuple[str, dict[str, str]]]  # (path, the browser's cookies)
    peer: str


def measured_pages() -> list[Page]:
    """Each busy page beside its peer (``benchmarks/urls.py``): the bare view, or the stock ``ModelAdmin``.

    The portal pages rotate over ``PORTAL_CUSTOMERS`` customers and their
    claims, the queues over their first ``QUEUE_PAGES`` pages: no two
    consecutive requests of a page ask for the same thing.
    """
    from django.urls import reverse

    from benchmarks.urls import BARE_PATH, STOCK_ADMIN_PATH

    portal = [(rma, browser_cookies(email)) for email, rma in customer_claims(PORTAL_CUSTOMERS)]
    care = browser_cookies(staff_email("care"))
    queue = reverse("admin:claims_claim_changelist")
    numbers = range(1, QUEUE_PAGES + 1)
    return [
        Page("bare view", [(BARE_PATH, cookies) for _rma, cookies in portal], peer="bare view"),
        Page(
            "claim page",
            [(reverse("portal:claim_detail", args=[rma]), cookies) for rma, cookies in portal],
            peer="bare view",
        ),
        Page(
            "my orders", [(reverse("portal:orders"), cookies) for _rma, cookies in portal], peer="bare view"
        ),
        Page(
            "stock ModelAdmin",
            [(f"{STOCK_ADMIN_PATH}?p={n}", care) for n in numbers],
            peer="stock ModelAdmin",
        ),
        Page("care queue, newest", [(f"{queue}?p={n}", care) for n in numbers], peer="stock ModelAdmin"),
        Page(
            "care queue, urgent",
            [(f"{queue}?o=8&queue=open&p={n}", care) for n in numbers],
            peer="stock ModelAdmin",
        ),
        Page(
            "warehouse page",
            [(reverse("admin:claims_claim_warehouse"), browser_cookies(staff_email("warehouse")))],
            peer="bare view",
        ),
        Page(
            "dashboard",
            [(reverse("admin:claims_claim_dashboard"), browser_cookies(staff_email("manager")))],
            peer="bare view",
        ),
    ]
