"""Benchmark: the admin claims list (the care queue) with 100,000 claims on PostgreSQL.

Usage (a PostgreSQL database of its own; it is filled once and reused):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/asm_bench_c \\
        .venv/bin/python benchmarks/admin_claims_list.py [--runs 15]

The fixture is written with ``bulk_create``, bypassing the claim services:
100,000 order lines and one claim on each, in a spread of statuses, with the
inspections of the inspected and resolved ones. A care staff member then loads
the list through Django's test client (warm: a few loads first), and the
script prints the median render time and the number of queries of each view
of the queue: newest first, most urgent first (open claims), overdue filter,
RMA search and email search.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asm_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

CLAIMS = 100_000
LINES_PER_ORDER = 5
CUSTOMERS = 10_000
BATCH = 5_000


def setup_django() -> None:
    import django

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own for this benchmark.")
    django.setup()


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


def care_member():  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group

    from claims.models import User

    user, _created = User.objects.get_or_create(email="bench-care@asm.example", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="Care staff"))
    return user


def measure(client, url: str, runs: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _warm_up in range(3):
        assert client.get(url).status_code == 200
    timings = []
    for _run in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings) * 1000, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    arguments = parser.parse_args()
    setup_django()
    fill_database()

    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from claims.models import Claim

    setup_test_environment()  # lets the test client run against this database
    client = Client()
    client.force_login(care_member())
    changelist = reverse("admin:claims_claim_changelist")
    views = {
        "newest first": changelist,
        "most urgent first": f"{changelist}?o=8&queue=open",
        "overdue": f"{changelist}?deadline=overdue",
        "search by email": f"{changelist}?q=bench4321@example.com",
        "search by RMA": f"{changelist}?q=RMA-BENCH-0054321",
    }
    print(f"{Claim.objects.count():,} claims; median of {arguments.runs} warm loads as a care staff member")
    for name, url in views.items():
        milliseconds, queries = measure(client, url, arguments.runs)
        print(f"  {name:<18} {milliseconds:7.1f} ms  {queries} queries")


if __name__ == "__main__":
    main()
