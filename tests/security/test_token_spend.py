"""A sign-in link works once, even posted many times at once to a server with several workers.

The stage is gunicorn started here with gunicorn.conf.py and several worker
processes, as in production, on the test's database: PostgreSQL's test
database, or a file copy of SQLite's in-memory one. Its access log is then
read for the token. On PostgreSQL, pytest-django's threaded live server runs
the race too (on SQLite its threads share one in-memory connection, which no
deployment does).
"""

import http.client
import os
import re
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse
from sesame.utils import get_token

from claims.models import User
from tests.background.celery_app import wait_until
from tests.background.smtp import free_port
from tests.conftest import require_service
from tests.factories import new_customer

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
PARALLEL_POSTS = 8
GUNICORN_WORKERS = 3
STARTUP_SECONDS = 60.0


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    cookies: dict[str, str]
    body: str


def call(
    base_url: str, method: str, path: str, *, form: dict[str, str] | None = None, **headers: str
) -> Answer:
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    body = urlencode(form) if form is not None else None
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        return Answer(
            status=response.status,
            location=response.getheader("Location", ""),
            cookies={name: morsel.value for name, morsel in cookies.items()},
            body=response.read().decode(errors="replace"),
        )
    finally:
        conn.close()


def post_in_parallel(base_url: str, token: str) -> list[Answer]:
    """The link page's form, posted by PARALLEL_POSTS clients released at the same instant."""
    link = f"{reverse('portal:sign_in_link')}?token={token}"
    page = call(base_url, "GET", link)
    assert page.status == 200, page.body[:500]
    csrf_cookie = page.cookies["csrftoken"]
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert found
    form = {"csrfmiddlewaretoken": found.group(1), "token": token}
    start = threading.Barrier(PARALLEL_POSTS)
    answers: list[Answer] = []

    def post() -> None:
        start.wait()
        answers.append(
            call(
                base_url, "POST", reverse("portal:sign_in_link"), form=form, Cookie=f"csrftoken={csrf_cookie}"
            )
        )

    clients = [threading.Thread(target=post) for _ in range(PARALLEL_POSTS)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    return answers


def session_data(database_url: str) -> list[str]:
    """Every stored session's data, in the database the server used."""
    if not database_url.startswith("sqlite:"):
        return list(Session.objects.values_list("session_data", flat=True))
    with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as copy:
        return [row[0] for row in copy.execute("SELECT session_data FROM django_session")]


def signed_in_sessions(database_url: str, customer: User) -> int:
    store = SessionStore()
    return sum(
        1
        for data in session_data(database_url)
        if store.decode(data).get("_auth_user_id") == str(customer.pk)
    )


# --- The servers ----------------------------------------------------------------------


def server_database_url(folder: Path) -> str:
    """DATABASE_URL for a server beside this test: the test database, or a file copy of it on SQLite."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database is in this process's memory; the data the test made so far goes along.
        copy = folder / "db.sqlite3"
        connection.ensure_connection()
        with closing(sqlite3.connect(copy)) as target:
            connection.connection.backup(target)
        return f"sqlite:///{copy}"
    require_service(connection.vendor == "postgresql", "these tests need SQLite or PostgreSQL")
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        f"/{settings['NAME']}"
    )


@contextmanager
def running_gunicorn(database_url: str, access_log: Path) -> Iterator[str]:
    """gunicorn with gunicorn.conf.py and GUNICORN_WORKERS processes on ``database_url``; its URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "0",  # no connection outlives a request: the test database is dropped later
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(GUNICORN_WORKERS),
        "GUNICORN_MAX_REQUESTS": "0",
    }
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn with fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--access-logfile",
            str(access_log),
            "--error-logfile",
            str(access_log.with_name("error.log")),
            "asm_portal.wsgi",
        ],
        cwd=ROOT,
        env=env,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:

        def every_worker_answers() -> bool:
            try:
                return call(base_url, "GET", reverse("portal:sign_in")).status == 200
            except OSError:
                return False

        if not wait_until(every_worker_answers, timeout=STARTUP_SECONDS):
            pytest.fail(f"gunicorn did not start: {access_log.with_name('error.log').read_text()}")
        # The master forks every worker before the first answers; each has imported Django by now
        # or is about to: a few more answers let the slower ones finish starting.
        for _ in range(GUNICORN_WORKERS * 2):
            every_worker_answers()
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


@dataclass(frozen=True)
class Portal:
    base_url: str
    database_url: str
    access_log: Path | None


@pytest.fixture(params=["gunicorn workers", "threaded live server"])
def customer_and_portal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[User, Portal]]:
    customer = new_customer(email="ana@example.com")
    if request.param == "threaded live server":
        require_service(connection.vendor == "postgresql", "the threaded race needs PostgreSQL")
        live_server: Any = request.getfixturevalue("live_server")
        yield customer, Portal(live_server.url, "", None)
        return
    database_url = server_database_url(tmp_path)
    access_log = tmp_path / "access.log"
    with running_gunicorn(database_url, access_log) as base_url:
        yield customer, Portal(base_url, database_url, access_log)


# --- The tests --------------------------------------------------------------------------


def test_one_token_posted_in_parallel_signs_in_one_session(customer_and_portal):
    customer, portal = customer_and_portal
    token = get_token(customer)

    answers = post_in_parallel(portal.base_url, token)

    signed_in = [answer for answer in answers if answer.status == 302]
    refused = [answer for answer in answers if answer.status == 400]
    assert len(signed_in) == 1, [answer.status for answer in answers]
    assert len(refused) == PARALLEL_POSTS - 1, [answer.status for answer in answers]
    assert all("no longer works" in answer.body for answer in refused)
    (winner,) = signed_in
    assert winner.location == reverse("portal:orders")
    orders = call(portal.base_url, "GET", winner.location, Cookie=f"sessionid={winner.cookies['sessionid']}")
    assert orders.status == 200
    assert "My orders" in orders.body
    assert signed_in_sessions(portal.database_url, customer) == 1
    if portal.access_log is not None:
        logged = portal.access_log.read_text()
        assert "/sign-in/link/?token=[removed]" in logged
        assert token not in logged


def test_gunicorn_logs_no_token_from_the_url_or_the_referer(tmp_path: Path):
    customer = new_customer(email="ana@example.com")
    token = get_token(customer)
    access_log = tmp_path / "access.log"
    with running_gunicorn(server_database_url(tmp_path), access_log) as base_url:
        link = f"{reverse('portal:sign_in_link')}?token={token}"
        opened = call(base_url, "GET", link)
        # A browser that ignored Referrer-Policy would send the link as the next request's Referer.
        call(base_url, "GET", "/static/portal.css", Referer=f"{base_url}{link}")
    assert opened.status == 200
    assert opened.body.count(token) == 1  # the page's hidden field: the button posts it
    logged = access_log.read_text()
    assert logged.count("token=[removed]") == 2
    assert token not in logged
