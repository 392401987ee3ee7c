"""``make run``'s web process: Django's development server, autoreloader on, serves its first page."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.background.smtp import free_port
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent


def test_the_development_server_answers_with_the_redis_cache():
    """The reloader imports the URLconf in one thread while the checks build the Redis cache in
    another; the Redis client's package, imported by both at once, used to break the server."""
    redis_url = os.environ.get("REDIS_URL", "")
    require_service(bool(redis_url), "set REDIS_URL to start the development server on the Redis cache")
    port = free_port()
    # As ``make run`` starts it: debug on, SQLite, the cache and the broker on Redis, no test settings.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "DJANGO_DEBUG": "true"}
    env["REDIS_URL"] = redis_url
    server = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status = None
        deadline = time.monotonic() + 30
        while status is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    status = answer.status
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert status == 200, output
    assert "Traceback" not in output, output
