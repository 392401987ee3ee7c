"""What each busy page costs to render, in process, beside the bare view and a stock ``ModelAdmin``.

Usage (a PostgreSQL database of its own, filled once with the 100,000-claim
fixture and reused; Redis for the cache and sessions, as in production):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/asm_bench \\
    REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python benchmarks/render_costs.py [--requests 300]

Every request goes through Django's WSGI handler and the whole middleware
stack with debug off, as gunicorn would call it, and renders its page: nothing
is cached between requests, and the pages take turns request by request, so
that a change in the machine's load falls on all of them alike. The portal pages rotate over 200 customers and
their claims, the queues over their first five pages. For each page the
script prints the median CPU time per request (this process's CPU, so the
machine's other load barely moves it), the median time spent waiting on the
database, the number of queries (the connection's health check, a
``SELECT 1`` once per request, comes on top), and the CPU ratio to its peer:
the bare view for the portal and warehouse pages, the stock ``ModelAdmin``
changelist of the same claims for the care queue. It ends by checking the
targets (issue 10) and exits 1 if one is missed.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.fixture import Page, fill_database, measured_pages, setup_django

# Issue 10's targets: CPU per request as a ratio to the page's peer, and database time.
CPU_RATIO_TARGETS = {
    "claim page": 10.0,
    "my orders": 12.0,
    "care queue, newest": 0.6,
    "care queue, urgent": 0.6,
    "warehouse page": 15.0,
}
DB_MS_TARGETS = {"warehouse page": 5.0, "dashboard": 30.0}


@dataclass(frozen=True)
class Cost:
    cpu_ms: float
    db_ms: float
    queries: int


class QueryTimer:
    """A database execute wrapper: how many queries a request made and how long it waited on them."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def requester() -> Callable[[str, dict[str, str]], int]:
    """Calls the WSGI application as a server would; returns the status code."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    application = WSGIHandler()
    factory = RequestFactory(HTTP_HOST="127.0.0.1")

    def request(path: str, cookies: dict[str, str]) -> int:
        cookie = SimpleCookie(cookies)
        environ = factory.get(path, HTTP_COOKIE=cookie.output(header="", sep=";").strip()).environ
        statuses: list[str] = []

        def start_response(status: str, headers: Any, exc_info: Any = None) -> Callable[[bytes], object]:
            statuses.append(status)
            return lambda _body: None

        response = application(environ, start_response)
        for _chunk in response:
            pass
        response.close()
        return int(statuses[0].split()[0])

    return request


def measure(pages: list[Page], requests: int, request: Callable[[str, dict[str, str]], int]) -> list[Cost]:
    """Each page's cost, the pages taking turns request by request, so that all see the same machine."""
    from django.db import connection

    turns = [itertools.cycle(page.addresses) for page in pages]
    for page, addresses in zip(pages, turns, strict=True):
        for _warm_up in range(min(len(page.addresses), 50)):
            path, cookies = next(addresses)
            status = request(path, cookies)
            assert status == 200, f"{page.name}: {path} answered {status}"
    cpu: list[list[float]] = [[] for _page in pages]
    db: list[list[float]] = [[] for _page in pages]
    queries: list[int] = [0 for _page in pages]
    for _round in range(requests):
        for index, (page, addresses) in enumerate(zip(pages, turns, strict=True)):
            path, cookies = next(addresses)
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                started = time.process_time()
                status = request(path, cookies)
                cpu[index].append(time.process_time() - started)
            assert status == 200, f"{page.name}: {path} answered {status}"
            db[index].append(timer.seconds)
            queries[index] = max(queries[index], timer.count)
    return [
        Cost(statistics.median(cpu[index]) * 1000, statistics.median(db[index]) * 1000, queries[index])
        for index in range(len(pages))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=300, help="measured requests per page")
    parser.add_argument(
        "--only", action="append", default=[], metavar="PAGE", help="measure only this page (and its peer)"
    )
    arguments = parser.parse_args()
    setup_django()
    fill_database()

    from claims.models import Claim

    request = requester()
    load = os.getloadavg()
    print(
        f"{Claim.objects.count():,} claims; median of {arguments.requests} requests per page, "
        f"every one rendered; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(f"{'page':<20} {'CPU ms':>7} {'DB ms':>6} {'queries':>7} {'× peer':>7}  {'peer':<17} target")
    every_page = measured_pages()
    wanted = {page.name for page in every_page if not arguments.only or page.name in arguments.only}
    wanted |= {page.peer for page in every_page if page.name in wanted}
    measured = [page for page in every_page if page.name in wanted]
    costs = dict(
        zip((page.name for page in measured), measure(measured, arguments.requests, request), strict=True)
    )
    missed: list[str] = []
    for page in measured:
        cost = costs[page.name]
        ratio = cost.cpu_ms / costs[page.peer].cpu_ms
        targets = []
        cpu_target, db_target = CPU_RATIO_TARGETS.get(page.name), DB_MS_TARGETS.get(page.name)
        if cpu_target is not None:
            targets.append(f"≤ {cpu_target:g}×")
            if ratio > cpu_target:
                missed.append(f"{page.name}: {ratio:.2f}× {page.peer} (target ≤ {cpu_target:g}×)")
        if db_target is not None:
            targets.append(f"DB < {db_target:g} ms")
            if cost.db_ms >= db_target:
                missed.append(f"{page.name}: {cost.db_ms:.1f} ms of database time (target < {db_target:g})")
        print(
            f"{page.name:<20} {cost.cpu_ms:>7.2f} {cost.db_ms:>6.2f} {cost.queries:>7} {ratio:>6.2f}×  "
            f"{page.peer:<17} {', '.join(targets)}",
            flush=True,
        )
    print("\n".join(["", "Targets met."] if not missed else ["", "Targets missed:", *missed]))
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
