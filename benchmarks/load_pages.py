"""Load benchmark: the busiest pages under gunicorn on PostgreSQL, every request rendered, beside their peers.

Usage (a PostgreSQL database of its own, filled once with the 100,000-claim
fixture and reused; Redis for the cache and sessions, as in production):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/asm_bench \\
    REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python benchmarks/load_pages.py [--seconds 10] [--concurrency 8]

It starts gunicorn with debug off (``WEB_CONCURRENCY`` workers, 3 by default)
and, for each page, lets ``--concurrency`` clients request it for
``--seconds``. The clients are signed-in browsers (session and CSRF
cookies) that take turns over 200 customers and their claims, or over the
queue's first five pages: every request renders its page. Each page is
measured right after its peer, in the same run: the bare view (``/bare``) for
the portal pages, and a stock ``ModelAdmin`` changelist of the same claims
for the care queue (both in ``benchmarks/urls.py``). It prints throughput,
p95 latency, errors and the gunicorn workers' CPU time per request, then
checks the targets (issue 10): p95 under 100 ms for the portal pages and
under 250 ms for the care queue, and no errors. It exits 1 if one is missed.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.fixture import fill_database, measured_pages, setup_django  # noqa: E402 - needs sys.path

PORT = 8765
Address = tuple[str, str]  # (path, Cookie header)
# Issue 10's targets under load: p95 of each page; a page not named here is a peer.
P95_TARGETS_MS = {
    "claim page": 100.0,
    "my orders": 100.0,
    "care queue, newest": 250.0,
    "care queue, urgent": 250.0,
}


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=20)[18] * 1000 if len(self.latencies) > 20 else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds / max(self.requests, 1) * 1000


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def workers_cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    """The CPU time (user and system) of gunicorn's workers so far, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for child in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split():
        fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def hammer(
    server: subprocess.Popen[bytes], addresses: list[Address], *, seconds: float, concurrency: int
) -> Result:
    """Requests the addresses in turn from ``concurrency`` threads for ``seconds``; a non-200 is an error."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        nonlocal errors
        mine: list[float] = []
        failed = 0
        turns = itertools.islice(itertools.cycle(addresses), offset, None)
        while time.perf_counter() < deadline:
            path, cookies = next(turns)
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookies, "Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except OSError:
                failed += 1
            finally:
                connection.close()
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors += failed

    cpu_before = workers_cpu_seconds(server)
    started = time.perf_counter()
    step = max(len(addresses) // concurrency, 1)
    threads = [threading.Thread(target=client, args=(index * step,)) for index in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return Result(len(latencies), errors, elapsed, latencies, workers_cpu_seconds(server) - cpu_before)


def start_gunicorn() -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "3"),
        # Steady state: no worker restarts (a restart's start-up would land on whichever page follows).
        "GUNICORN_MAX_REQUESTS": "0",
    }
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn
        [str(Path(sys.executable).parent / "gunicorn"), "asm_portal.wsgi", "--access-logfile", "/dev/null"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def pages() -> list[tuple[str, list[Address], str]]:
    """The pages with targets and their peers, each as (name, addresses with a Cookie header, peer)."""
    wanted = set(P95_TARGETS_MS) | {"bare view", "stock ModelAdmin"}
    return [
        (page.name, [(path, cookie_header(cookies)) for path, cookies in page.addresses], page.peer)
        for page in measured_pages()
        if page.name in wanted
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    arguments = parser.parse_args()
    setup_django()
    fill_database()
    measured = pages()

    server = start_gunicorn()
    missed: list[str] = []
    try:
        results: dict[str, Result] = {}
        load = os.getloadavg()
        print(
            f"gunicorn, {os.environ.get('WEB_CONCURRENCY', '3')} workers, {arguments.concurrency} clients, "
            f"{arguments.seconds:g} s a page; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        )
        print(
            f"{'page':<20} {'req/s':>7} {'p95 ms':>7} {'CPU ms':>7} {'errors':>6} {'req/s × peer':>12}  peer"
        )
        for name, addresses, peer_name in measured:
            hammer(server, addresses, seconds=2, concurrency=arguments.concurrency)  # warm up
            result = results[name] = hammer(
                server, addresses, seconds=arguments.seconds, concurrency=arguments.concurrency
            )
            peer = results[peer_name]
            print(
                f"{name:<20} {result.rps:>7.0f} {result.p95_ms:>7.1f} {result.cpu_ms:>7.2f} "
                f"{result.errors:>6} {result.rps / peer.rps:>11.2f}×  {peer_name}",
                flush=True,
            )
            if result.errors:
                missed.append(f"{name}: {result.errors} errors")
            target = P95_TARGETS_MS.get(name)
            if target is not None and result.p95_ms >= target:
                missed.append(f"{name}: p95 {result.p95_ms:.0f} ms (target under {target:g} ms)")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print("\n".join(["", "Targets met."] if not missed else ["", "Targets missed:", *missed]))
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
