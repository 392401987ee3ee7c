"""Time the deadline sweep at 200,000 and at 10,000 claims (1,000 due in each), and the relay's emails per
second into a local SMTP sink.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/asm_bench_a DJANGO_DEBUG=true \\
        .venv/bin/python benchmarks/sweep_and_relay.py [--large 200000] [--small 10000] [--emails 2000]

It runs in a scratch test database created beside ``DATABASE_URL`` and dropped
at the end. Queued tasks go to an in-process broker (``memory://``), so no
Redis is touched. Targets: the sweep at the large size within twice its time
at the small one; at least 200 emails per second for one worker process.
"""

import argparse
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import django
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asm_portal.settings")
os.environ["CELERY_BROKER_URL"] = "memory://"
django.setup()

from django.conf import settings  # noqa: E402  (after django.setup)
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from claims.deadlines import sweep_deadlines  # noqa: E402
from claims.lifecycle import ClaimKind, Status  # noqa: E402
from claims.models import Claim, Notification, Order, OrderLine, Product, User  # noqa: E402
from claims.outbox import relay_outbox  # noqa: E402
from policies.terms import current_terms  # noqa: E402
from tests.background.smtp import free_port  # noqa: E402

# Claims of each open shape below: four due (target, deadline, ship reminder, info reminder: 1,000 due
# claims) and four whose time has not come.
EACH = 250
CLOSED_LINES = 2_000  # closed claims share these order lines
BATCH = 5_000
DAY = timedelta(days=1)
# The open claims, as (status and dates) for a given today and now: the first four are due.
OPEN_SHAPES: list[Callable[[date, datetime], dict[str, Any]]] = [
    lambda today, now: {"status": Status.RECEIVED, "target_on": today - DAY, "deadline_on": today + 2 * DAY},
    lambda today, now: {
        "status": Status.RECEIVED,
        "target_on": today - 5 * DAY,
        "deadline_on": today - DAY,
        "target_alert_sent_at": now - 4 * DAY,
    },
    lambda today, now: {"status": Status.APPROVED, "approved_at": now - 8 * DAY},
    lambda today, now: {"status": Status.INFO_REQUESTED, "info_requested_at": now - 6 * DAY},
    lambda today, now: {
        "status": Status.RECEIVED,
        "target_on": today + 2 * DAY,
        "deadline_on": today + 4 * DAY,
    },
    lambda today, now: {"status": Status.APPROVED, "approved_at": now - DAY},
    lambda today, now: {"status": Status.INFO_REQUESTED, "info_requested_at": now - DAY},
    lambda today, now: {"status": Status.SUBMITTED},
]


def _claim(index: int, line: OrderLine, snapshot: dict[str, Any], **fields: Any) -> Claim:
    return Claim(
        kind=ClaimKind.RETURN,
        rma_number=f"RMA-B{index:07d}",
        order_line=line,
        quantity=1,
        return_reason="changed_mind",
        description="Benchmark claim.",
        shipping_payer="customer",
        policy_terms=snapshot,
        **fields,
    )


def fill(total: int, now: datetime) -> None:
    """``total`` claims: 1,000 due, 1,000 open but not due, the rest closed; in bulk."""
    today = timezone.localdate(now)
    snapshot = current_terms().as_snapshot()
    customer, _created = User.objects.get_or_create(email="bench@example.com", full_name="Bench Customer")
    product = Product.objects.create(sku=f"BENCH-{total}", name="Benchmark diorama")
    open_count = len(OPEN_SHAPES) * EACH
    orders = Order.objects.bulk_create(
        Order(number=f"B{total}-{n}", customer=customer, purchased_on=today - timedelta(days=10))
        for n in range(open_count + CLOSED_LINES)
    )
    lines = OrderLine.objects.bulk_create(
        (OrderLine(order=order, product=product, quantity=1) for order in orders), batch_size=BATCH
    )
    open_lines, closed_lines = lines[:open_count], lines[open_count:]
    claims = [
        _claim(index, line, snapshot, **OPEN_SHAPES[index // EACH](today, now))
        for index, line in enumerate(open_lines)
    ]
    closed = [Status.RESOLVED, Status.REJECTED, Status.CANCELLED, Status.EXPIRED]
    index = len(claims)
    Claim.objects.bulk_create(claims, batch_size=BATCH)
    while index < total:
        chunk = [
            _claim(
                number,
                closed_lines[number % CLOSED_LINES],
                snapshot,
                status=closed[number % len(closed)],
                target_on=today - timedelta(days=30),
                deadline_on=today - timedelta(days=28),
                closed_at=now - timedelta(days=20),
            )
            for number in range(index, min(index + BATCH, total))
        ]
        Claim.objects.bulk_create(chunk)
        index += len(chunk)
    with connection.cursor() as cursor:
        # What autovacuum would have done on a real table: the planner needs the statistics.
        cursor.execute("ANALYZE claims_claim")


def empty() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE claims_notification, claims_claimevent, claims_message, claims_claim, "
            "claims_orderline, claims_order, claims_product RESTART IDENTITY CASCADE"
        )


def time_sweep(total: int) -> float:
    now = timezone.now()
    started = time.perf_counter()
    fill(total, now)
    filled = time.perf_counter() - started
    started = time.perf_counter()
    report = sweep_deadlines(now=now)
    elapsed = time.perf_counter() - started
    acted = report.target_alerts + report.deadline_alerts + report.ship_reminders + report.info_reminders
    assert acted == 4 * EACH, report
    print(f"  {total:>7,} claims: filled in {filled:5.1f} s; sweep {elapsed:6.2f} s ({report})")
    return elapsed


class CountingSink:
    """Accepts every message and only counts it: the benchmark measures the relay, not the sink."""

    def __init__(self) -> None:
        self.accepted = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted += 1
        return "250 OK"


def _serve_smtp(port: int, accepted: "Synchronized[int]", ready: Event, stop: Event) -> None:
    # A process of its own, as a real mail server is: it must not compete with the relay for the GIL.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    accepted.value = sink.accepted


def time_relay(emails: int) -> float:
    claims = list(Claim.objects.order_by("pk")[:emails])
    Notification.objects.all().delete()
    Notification.objects.bulk_create(
        Notification(
            template_key="submitted",
            recipient=f"customer{number}@example.com",
            unique_key=f"bench:{number}",
            claim=claims[number % len(claims)],
        )
        for number in range(emails)
    )
    processes = multiprocessing.get_context("fork")
    port, accepted, ready, stop = free_port(), processes.Value("i", 0), processes.Event(), processes.Event()
    connection.close()  # the forked server must not share the database connection
    server = processes.Process(target=_serve_smtp, args=(port, accepted, ready, stop))
    server.start()
    ready.wait(10)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    started, cpu_started = time.perf_counter(), time.process_time()
    sent = relay_outbox(budget_seconds=600)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    stop.set()
    server.join(10)
    assert sent == emails == accepted.value, (sent, accepted.value)
    rate = emails / elapsed
    print(
        f"  relay: {emails:,} emails in {elapsed:.2f} s = {rate:,.0f} emails/s (one process); "
        f"its own CPU time {cpu:.2f} s = {emails / cpu:,.0f} emails per CPU-second"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--large", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--emails", type=int, default=2_000)
    arguments = parser.parse_args()
    # As in production: with DEBUG on, every query is also formatted and kept in memory.
    settings.DEBUG = False
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL server: the partial indexes are the point.")

    scratch = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    print(f"Scratch database {scratch}")
    try:
        large = time_sweep(arguments.large)
        empty()
        small = time_sweep(arguments.small)
        rate = time_relay(arguments.emails)
    finally:
        connection.creation.destroy_test_db(scratch, verbosity=0)
    ratio = large / small
    verdict = "met" if ratio <= 2 else "MISSED"
    print(f"Sweep: {ratio:.2f}× the small size's time at the large size (target ≤ 2×): {verdict}")
    print(f"Relay: {rate:,.0f} emails/s (target ≥ 200): {'met' if rate >= 200 else 'MISSED'}")


if __name__ == "__main__":
    main()
