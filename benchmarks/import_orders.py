"""Time ``manage.py import_orders`` on a 10,000-line file: first run inserts, second run changes nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/asm_bench DJANGO_DEBUG=true \\
        .venv/bin/python benchmarks/import_orders.py [--lines 100000]

Each run prints its wall and CPU time and the process's peak resident memory
(``ru_maxrss``, which also counts the database driver's buffers) before and
after it: the import streams the file, so the peak should not grow with it.

It runs against the database server in ``DATABASE_URL`` (SQLite by default),
in a scratch test database created beside it and dropped at the end, so the
database you work in is never touched.
"""

import argparse
import csv
import io
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asm_portal.settings")
django.setup()

from django.core.management import call_command  # noqa: E402  (after django.setup)
from django.db import connection  # noqa: E402

from claims.importing import REQUIRED_COLUMNS  # noqa: E402

LINES_PER_ORDER = 2
ORDERS_PER_CUSTOMER = 3
PRODUCTS = 500


def write_order_file(path: Path, *, lines: int) -> None:
    """``lines`` order lines: two per order, three orders per customer, a few hundred products."""
    chooser = random.Random(2026)  # noqa: S311 - sample data, the same file on every run
    today = date.today()
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([*REQUIRED_COLUMNS, "unit_price"])
        for index in range(lines):
            order = index // LINES_PER_ORDER
            customer = order // ORDERS_PER_CUSTOMER
            purchased_on = today - timedelta(days=5 + order % 360)
            delivered_on = "" if order % 10 == 0 else (purchased_on + timedelta(days=3)).isoformat()
            sku = (order * 7 + index % LINES_PER_ORDER * 131) % PRODUCTS
            writer.writerow(
                [
                    f"BENCH-{order:06d}",
                    f"customer{customer:05d}@example.com",
                    f"Customer {customer}",
                    f"DIO-{sku:04d}",
                    f"Diorama model {sku}",
                    chooser.randint(1, 3),
                    purchased_on.isoformat(),
                    delivered_on,
                    f"{chooser.randint(200, 3000) * 1000}.00",
                ]
            )


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed_import(path: Path) -> tuple[float, float, str]:
    summary = io.StringIO()
    started, cpu_started = time.perf_counter(), time.process_time()
    call_command("import_orders", str(path), stdout=summary, stderr=io.StringIO())
    return time.perf_counter() - started, time.process_time() - cpu_started, summary.getvalue().strip()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=10_000)
    lines = parser.parse_args().lines

    scratch_database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "orders.csv"
            write_order_file(path, lines=lines)
            print(
                f"{lines} lines ({path.stat().st_size / 1024 / 1024:.1f} MB) on {connection.vendor} "
                f"({scratch_database}); load average {os.getloadavg()[0]:.2f}"
            )
            for label in ("first run (inserts)", "second run (no change)"):
                peak_before = peak_memory_mb()
                seconds, cpu_seconds, summary = timed_import(path)
                print(
                    f"{label:<24} {seconds:6.2f} s (CPU {cpu_seconds:6.2f} s), peak memory "
                    f"{peak_memory_mb():.0f} MB (was {peak_before:.0f} MB)   {summary}"
                )
    finally:
        connection.creation.destroy_test_db(scratch_database, verbosity=0)


if __name__ == "__main__":
    main()
