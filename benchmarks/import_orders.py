"""Time ``manage.py import_orders`` on a 10,000-line file: first run inserts, second run changes nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/asm_bench DJANGO_DEBUG=true \\
        .venv/bin/python benchmarks/import_orders.py [--lines 10000]

It runs against the database server in ``DATABASE_URL`` (SQLite by default),
in a scratch test database created beside it and dropped at the end, so the
database you work in is never touched.
"""

import argparse
import csv
import io
import os
import random
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


def timed_import(path: Path) -> tuple[float, str]:
    summary = io.StringIO()
    started = time.perf_counter()
    call_command("import_orders", str(path), stdout=summary, stderr=io.StringIO())
    return time.perf_counter() - started, summary.getvalue().strip()


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
            print(f"{lines} lines on {connection.vendor} ({scratch_database})")
            for label in ("first run (inserts)", "second run (no change)"):
                seconds, summary = timed_import(path)
                print(f"{label:<24} {seconds:6.2f} s   {summary}")
    finally:
        connection.creation.destroy_test_db(scratch_database, verbosity=0)


if __name__ == "__main__":
    main()
