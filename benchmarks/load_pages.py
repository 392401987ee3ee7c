"""Load benchmark: the busiest pages under gunicorn on PostgreSQL, beside a bare Django view.

Usage (a PostgreSQL database of its own; it is filled once and reused; Redis
for the cache and sessions, as in production):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/asm_bench_load \\
    REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python benchmarks/load_pages.py [--seconds 10] [--concurrency 8]

It fills 10,000 customers and 100,000 claims with the admin list benchmark's
fixture (bulk inserts, not claims filed through the services), starts
gunicorn with debug off, and measures requests per second and p95 latency of the claim page,
"my orders" and the admin claims list, each right after the bare view
(``/bare`` in ``benchmarks/urls.py``, through the same middleware) in the
same run, and prints the ratios. Targets: each page at
least 0.6 of the bare view's requests per second; the admin claims list's p95
under 250 ms; no errors.

Each client sends what a signed-in browser sends: its session cookie and the
CSRF cookie. The pages come from the page cache (claims/page_cache.py) after
the first request, as they do between two writes in production; run with
``ASM_PAGE_CACHE_SECONDS=0`` to measure every request rendering its page.
"""

from __future__ import annotations

import argparse
import http.client
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asm_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")  # for the set-up only; gunicorn runs with debug off
# Sessions made here must verify under gunicorn: one key for both.
os.environ["DJANGO_SECRET_KEY"] = "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105

from benchmarks.admin_claims_list import fill_database, setup_django  # noqa: E402 - needs sys.path

PORT = 8765


def browser_cookies(user_email: str) -> str:
    """A signed-in browser's cookies for ``user_email``: the session, and the CSRF cookie any page sets."""
    from django.conf import settings
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    session = f"{settings.SESSION_COOKIE_NAME}={session_cookie(user_email)}"
    csrf_secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    csrf = f"{settings.CSRF_COOKIE_NAME}={csrf_secret}"
    return f"{session}; {csrf}"


def session_cookie(user_email: str) -> str:
    """A signed-in session for ``user_email``, as the sign-in would leave it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from claims.models import User

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

    user = User.objects.get(email=user_email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


def care_staff_email() -> str:
    from django.contrib.auth.models import Group

    from claims.models import User

    staff, _created = User.objects.get_or_create(
        email="bench-care@asm.example", defaults={"is_staff": True, "full_name": "Bench care"}
    )
    staff.groups.add(Group.objects.get(name="Care staff"))
    return staff.email


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=20)[18] * 1000 if len(self.latencies) > 20 else 0.0


def hammer(path: str, cookies: str, *, seconds: float, concurrency: int) -> Result:
    """Requests ``path`` from ``concurrency`` threads for ``seconds``; a non-200 answer is an error."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        nonlocal errors
        mine: list[float] = []
        failed = 0
        while time.perf_counter() < deadline:
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

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(len(latencies), errors, time.perf_counter() - started, latencies)


def start_gunicorn() -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",  # the portal plus the bare view
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "3"),
        # Steady state: no worker restarts (a restart's start-up would land on whichever page follows).
        "GUNICORN_MAX_REQUESTS": "0",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    setup_django()
    fill_database()
    from django.urls import reverse

    from benchmarks.urls import BARE_PATH
    from claims.models import Claim

    customer_email = "bench7@example.com"
    claim = Claim.objects.filter(order_line__order__customer__email=customer_email).first()
    assert claim is not None
    pages = {
        "claim page": (
            reverse("portal:claim_detail", args=[claim.rma_number]),
            browser_cookies(customer_email),
        ),
        "my orders": (reverse("portal:orders"), browser_cookies(customer_email)),
        "admin claims list": (reverse("admin:claims_claim_changelist"), browser_cookies(care_staff_email())),
        "admin, most urgent": (
            reverse("admin:claims_claim_changelist") + "?o=8&queue=open",
            browser_cookies(care_staff_email()),
        ),
    }
    server = start_gunicorn()
    failures: list[str] = []
    try:
        hammer(BARE_PATH, "", seconds=2, concurrency=args.concurrency)  # warm up every worker
        print(f"{'page':<20} {'req/s':>8} {'bare req/s':>11} {'ratio':>6} {'p95 ms':>8} {'errors':>7}")
        for name, (path, cookies) in pages.items():
            hammer(path, cookies, seconds=2, concurrency=args.concurrency)
            bare = hammer(BARE_PATH, cookies, seconds=args.seconds, concurrency=args.concurrency)
            page = hammer(path, cookies, seconds=args.seconds, concurrency=args.concurrency)
            ratio = page.rps / bare.rps
            figures = f"{page.rps:>8.0f} {bare.rps:>11.0f} {ratio:>6.2f} {page.p95_ms:>8.1f} {page.errors:>7}"
            print(f"{name:<20} {figures}", flush=True)
            if ratio < 0.6:
                failures.append(f"{name}: {ratio:.2f} of the bare view's requests per second (target 0.6)")
            if page.errors or bare.errors:
                failures.append(f"{name}: {page.errors + bare.errors} errors")
            if name.startswith("admin") and page.p95_ms >= 250:
                failures.append(f"{name}: p95 {page.p95_ms:.0f} ms (target under 250 ms)")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print("\n".join(["", "Targets met."] if not failures else ["", "Targets missed:", *failures]))


if __name__ == "__main__":
    main()
