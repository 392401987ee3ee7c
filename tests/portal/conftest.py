"""Fixtures of the portal's tests; the browser fixtures are reusable by other suites."""

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from tests.conftest import require_service
from tests.factories import new_customer

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def other_client(db) -> Client:
    other = Client()
    other.force_login(new_customer(email="someone.else@example.com"))
    return other


# --- Browser --------------------------------------------------------------------


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """Headless Chromium through Playwright; skips (or fails under ASM_REQUIRE_SERVICES) without it.

    Playwright's sync API runs one at a time in a thread: suites share the
    session's ``chromium`` fixture (tests/conftest.py) rather than start another.
    """
    require_service(
        Path(CHROMIUM).exists() or shutil.which("chromium") is not None, f"Chromium is not at {CHROMIUM}"
    )
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium: Any, live_server: Any) -> Iterator[Any]:
    """A page in a 360 × 740 phone-sized window, on the live server; fails on any browser console error."""
    context = chromium.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    console_errors: list[str] = []
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )
    yield page
    context.close()
    assert console_errors == [], console_errors


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Any:
    """``screenshot(page, "step")`` saves var/screenshots/<test>/<n>-<step>.png (git-ignored)."""
    folder = SCREENSHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    steps = iter(range(1, 1000))

    def take(page: Any, step: str) -> Path:
        path = folder / f"{next(steps):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sent_emails(settings, monkeypatch) -> Any:
    """Emails go to Django's locmem outbox, delivered the moment their outbox row commits.

    Delivery is the outbox's own (``claims.outbox.deliver_notification``),
    called in place of queuing the Celery task. Returns a function listing the
    emails sent so far.
    """
    from django.core import mail

    from claims import outbox

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    monkeypatch.setattr(
        outbox,
        "enqueue_delivery",
        lambda *, notification_id: outbox.deliver_notification(notification_id=notification_id),
    )
    return lambda: list(mail.outbox)


def sign_in_link(email_message: Any) -> str:
    """The sign-in link in an email's text."""
    found = re.search(r"https?://\S+/sign-in/link/\?token=[\w:.-]+", email_message.body)
    assert found, email_message.body
    return found.group(0)


def write_photo(folder: Path, name: str = "defect.jpg", colour: str = "tan") -> Path:
    path = folder / name
    Image.new("RGB", (640, 480), colour).save(path, format="JPEG")
    return path
