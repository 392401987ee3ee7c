"""Several threads writing at once to one SQLite file, through the settings' database options.

Run in a fresh interpreter by ``tests/test_settings.py`` with ``DATABASE_URL``
naming a new file: each thread reads a count, then writes, in one transaction,
the way a request and a Celery task each do. Prints a JSON summary.
"""

import json
import os
import threading
import time

import django

WRITERS = 8
TRANSACTIONS_EACH = 5


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asm_portal.settings")
    django.setup()
    from django.db import connection, connections, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE visit (id INTEGER PRIMARY KEY, seen INTEGER NOT NULL)")
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    connection.close()

    start = threading.Barrier(WRITERS)
    errors: list[str] = []

    def write() -> None:
        start.wait()
        try:
            for _ in range(TRANSACTIONS_EACH):
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SELECT COUNT(*) FROM visit")
                    seen = cursor.fetchone()[0]
                    # Hold the read a moment so the writers overlap; the result does not depend on it.
                    time.sleep(0.01)
                    cursor.execute("INSERT INTO visit (seen) VALUES (%s)", [seen])
        except Exception as error:  # reported, not raised: the summary counts them
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COUNT(DISTINCT seen) FROM visit")
        rows, distinct_counts = cursor.fetchone()
    print(
        json.dumps(
            {"journal_mode": journal_mode, "rows": rows, "distinct_counts": distinct_counts, "errors": errors}
        )
    )


if __name__ == "__main__":
    main()
