"""The stage of the whole journeys (issue 6): the live server, a real Celery worker on Redis, a real SMTP
sink, and one headless Chromium for the session.

Every email a journey asserts on went the production way: a service recorded
the outbox row, its commit queued the delivery task on Redis, the worker sent
it over SMTP, and the sink accepted it.
"""

import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any, cast

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format as format_date
from playwright.sync_api import Page, expect

from asm_portal.celery import app
from claims.lifecycle import Status
from claims.models import Order, OrderLine, User
from policies.calendar import load_business_calendar
from policies.dates import PromisedDates, promised_dates
from policies.models import PolicyTerms
from tests.admin.conftest import staff
from tests.background.celery_app import live_redis_url, running_worker, wait_until
from tests.background.smtp import SmtpSink, smtp_sink
from tests.factories import STAFF_PASSWORD, CustomerFactory, OrderFactory, OrderLineFactory, ensure_roles
from tests.portal.conftest import SCREENSHOTS, sign_in_link

PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}
# Wide enough for a journey's slowest hop: a commit, a task on Redis, the worker, SMTP.
EMAIL_TIMEOUT_SECONDS = 20.0
# The terms as managers keep them (a transactional test's flush removed the seeded row).
WAREHOUSE_ADDRESS = "ASM Returns Warehouse\n12 Nguyen Hue, District 1\nHo Chi Minh City"
WARRANTY_CENTER_ADDRESS = "ASM Warranty Center\n45 Le Loi, District 3\nHo Chi Minh City"
CARE_EMAIL = "care-journeys@asm.example"
WAREHOUSE_EMAIL = "warehouse-journeys@asm.example"


def long_date(day: date) -> str:
    """As the emails and the claim page write a date: Wednesday, 11 March 2026 (DATE_FORMAT)."""
    return format_date(day)


def expected_promise(received_on: date, *, target_days: int, deadline_days: int) -> PromisedDates:
    """RP4 (3–5) / WP4 (7–10) business days after the day received, day 0, with the country's holidays."""
    return promised_dates(
        received_on,
        target_days=target_days,
        deadline_days=deadline_days,
        calendar=load_business_calendar(around=received_on),
    )


@dataclass(frozen=True)
class Delivered:
    """An email the SMTP sink accepted, decoded."""

    to: str
    subject: str
    body: str  # the text part (``body``, as ``sign_in_link`` reads it)
    html: str


def _decoded(message: Message) -> Delivered:
    parts: dict[str, str] = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = cast(bytes, part.get_payload(decode=True))
            text = payload.decode(part.get_content_charset() or "utf-8")
            parts.setdefault(part.get_content_type(), text.replace("\r\n", "\n"))  # SMTP's line ends
    return Delivered(
        to=str(message["To"]),
        # A subject outside ASCII (Vietnamese) arrives as encoded words.
        subject=" ".join(str(make_header(decode_header(str(message["Subject"])))).split()),
        body=parts.get("text/plain", ""),
        html=parts.get("text/html", ""),
    )


@dataclass
class Mailbox:
    """What the sink received in this journey, read as the recipients would."""

    sink: SmtpSink

    def delivered(self, *, to: str | None = None) -> list[Delivered]:
        with self.sink.lock:
            messages = list(self.sink.accepted)
        return [email for email in map(_decoded, messages) if to is None or email.to == to]

    def subjects(self, *, to: str) -> list[str]:
        return [email.subject for email in self.delivered(to=to)]

    def wait_for(self, *, to: str, subject: str) -> Delivered:
        """The email to ``to`` whose subject contains ``subject``, once the worker has delivered it."""

        def found() -> list[Delivered]:
            return [email for email in self.delivered(to=to) if subject in email.subject]

        if not wait_until(found, timeout=EMAIL_TIMEOUT_SECONDS):
            pytest.fail(f"no email “{subject}” to {to}; delivered: {self.subjects(to=to)}", pytrace=False)
        (email,) = found()
        return email


@dataclass
class Journey:
    """One journey's people, browser pages, mailbox and screenshots."""

    base_url: str
    browser: Any
    mailbox: Mailbox
    folder: Path
    pages: list[Page] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    shots: int = 0

    def new_page(self, viewport: dict[str, int], *, locale: str = "en-US") -> Page:
        """A page in a fresh browser whose language (Accept-Language) is ``locale``."""
        context = self.browser.new_context(viewport=viewport, base_url=self.base_url, locale=locale)
        # The admin names no icon, so Chromium asks for /favicon.ico: not an error of the product's.
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "console",
            lambda message: self.console_errors.append(message.text) if message.type == "error" else None,
        )
        self.pages.append(page)
        return page

    def shot(self, page: Page, step: str) -> Path:
        """var/screenshots/journeys/<journey>/<n>-<step>.png, numbered across the journey's pages."""
        self.shots += 1
        path = self.folder / f"{self.shots:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    # --- The customer, on a phone ---------------------------------------------------

    def customer_signs_in(self, *, order_number: str, email: str) -> Page:
        """The portal's only way in: order number and email, then the link the email carries."""
        phone = self.new_page(PHONE)
        phone.goto("/sign-in/")
        phone.get_by_label("Order number").fill(order_number)
        phone.get_by_label("Email address on the order").fill(email)
        self.shot(phone, "customer-asks-for-a-link")
        phone.get_by_role("button", name="Email me a sign-in link").click()
        expect(phone.get_by_role("heading", name="Check your email")).to_be_visible()
        link_email = self.mailbox.wait_for(to=email, subject="Your sign-in link")
        phone.goto(sign_in_link(link_email))
        phone.get_by_role("button", name="Sign in").click()
        expect(phone.get_by_role("heading", name="My orders")).to_be_visible()
        self.shot(phone, "customer-my-orders")
        return phone

    def customer_marks_shipped(self, phone: Page, *, rma: str, carrier: str, tracking: str) -> None:
        phone.goto(f"/claims/{rma}/")
        phone.get_by_label("Carrier (optional)").fill(carrier)
        phone.get_by_label("Tracking number (optional)").fill(tracking)
        phone.get_by_role("button", name="Mark as sent").click()
        expect(phone.get_by_text("the parcel is marked as sent")).to_be_visible()
        self.shot(phone, "customer-marked-shipped")

    def customer_sees_status(self, phone: Page, *, rma: str, status: Status, step: str) -> None:
        phone.goto(f"/claims/{rma}/")
        expect(phone.locator(".claim-status")).to_have_text(str(status.label))
        self.shot(phone, step)

    # --- Staff, in the admin ----------------------------------------------------------

    def staff_logs_in(self, email: str, *, viewport: dict[str, int] = DESK) -> Page:
        page = self.new_page(viewport)
        page.goto(reverse("admin:login"))
        page.fill("#id_username", email)
        page.fill("#id_password", STAFF_PASSWORD)
        page.click("input[type=submit]")
        # Signed in: the home page, or the warehouse page for the warehouse.
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    def care_opens_step(self, care: Page, *, claim_pk: int, step: str) -> None:
        care.goto(reverse("admin:claims_claim_change", args=[claim_pk]))
        care.click(f"a.asm-step:text-is('{step}')")

    def care_approves(self, care: Page, *, claim_pk: int, payer: str) -> None:
        """Approve with the shipping payer (R6) the policy proposes, checking it is ``payer``."""
        self.care_opens_step(care, claim_pk=claim_pk, step="Approve")
        expect(care.locator(f"input[name=shipping_payer][value={payer}]")).to_be_checked()
        self.shot(care, "care-approves")
        care.click("input[type=submit][value='Approve']")
        expect(care.locator(".messagelist")).to_contain_text("approved")

    def care_resolves(self, care: Page, *, claim_pk: int, outcome: str, fields: dict[str, str]) -> None:
        self.care_opens_step(care, claim_pk=claim_pk, step="Resolve")
        care.check(f"input[name=outcome][value={outcome}]")
        for name, value in fields.items():
            care.fill(f"[name={name}]", value)
        self.shot(care, "care-resolves")
        care.click("input[type=submit][value='Resolve']")
        expect(care.locator(".messagelist")).to_contain_text("resolved")

    def warehouse_receives(self, desk: Page, *, rma: str, received_on: date | None = None) -> None:
        """Scan (type) the RMA, land on the parcel, mark it received: day 0 of the RP4 / WP4 clock."""
        desk.goto(reverse("admin:claims_claim_warehouse"))
        desk.fill("#id_rma", rma.lower())
        desk.press("#id_rma", "Enter")
        expect(desk.get_by_role("button", name="Mark received")).to_be_visible()
        if received_on is not None:
            desk.fill("input[name=received_on]", received_on.isoformat())
        desk.click("input[type=submit][value='Mark received']")
        expect(desk.locator(".messagelist")).to_contain_text("received")
        self.shot(desk, "warehouse-received")

    def warehouse_inspects(
        self, desk: Page, *, found: list[str], notes: str, expect_message: str, photos: Sequence[Path] = ()
    ) -> None:
        for name in found:
            desk.check(f"input[name={name}]")
        desk.fill("textarea[name=notes]", notes)
        if photos:
            desk.set_input_files("input[name=photos]", [str(photo) for photo in photos])
        self.shot(desk, "warehouse-inspects")
        desk.click("input[type=submit][value='Record the inspection']")
        expect(desk.locator(".messagelist")).to_contain_text(expect_message)
        self.shot(desk, "warehouse-inspected")


# --- Fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="package")
def worker_on_redis(django_db_setup: None) -> Iterator[str]:
    """One real Celery worker on the test Redis for all the journeys (it starts in about a second)."""
    url = live_redis_url()
    with running_worker(url):
        # The journeys prove delivery over Redis, not over kombu's in-process broker.
        assert app.conf.broker_url == url, app.conf.broker_url
        yield url


@pytest.fixture
def journey(
    request: pytest.FixtureRequest,
    chromium: Any,
    worker_on_redis: str,
    transactional_db: None,
    live_server: Any,
    settings: Any,
) -> Iterator[Journey]:
    settings.ASM_SITE_URL = live_server.url  # the links in the emails lead to this server
    # Rate limits and lockouts are settings: a journey signs in and files a handful of times only,
    # but they must never be what a journey trips on.
    settings.ASM_SIGNIN_RATE_PER_EMAIL = settings.ASM_SIGNIN_RATE_PER_IP = 1000
    settings.ASM_CLAIM_RATE_PER_CUSTOMER = settings.ASM_UPLOAD_RATE_PER_CUSTOMER = 1000
    settings.AXES_ENABLED = False
    ensure_roles()  # a transactional test's flush removed the groups migration 0003 made
    PolicyTerms.objects.all().delete()
    PolicyTerms.objects.create(
        warehouse_address=WAREHOUSE_ADDRESS,
        warranty_center_address=WARRANTY_CENTER_ADDRESS,
        contact_email="care@asm.example",
    )
    staff("Care staff", email=CARE_EMAIL)
    staff("Warehouse staff", email=WAREHOUSE_EMAIL)
    folder = SCREENSHOTS / "journeys" / re.sub(r"^test_", "", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with smtp_sink() as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        stage = Journey(base_url=live_server.url, browser=chromium, mailbox=Mailbox(sink), folder=folder)
        yield stage
        for page in stage.pages:
            page.context.close()
    assert stage.console_errors == [], stage.console_errors


@dataclass(frozen=True)
class Bought:
    customer: User
    order: Order
    line: OrderLine


@pytest.fixture
def bought(journey: Journey) -> Callable[..., Bought]:
    """``bought(product, purchased_days_ago=, delivered_days_ago=)``: a customer's order of one item."""

    def buy(
        product: str, *, email: str, number: str, purchased_days_ago: int, delivered_days_ago: int
    ) -> Bought:
        today = timezone.localdate()
        customer = cast(User, CustomerFactory(email=email, full_name="Ana Pham"))
        order = cast(
            Order,
            OrderFactory(
                customer=customer,
                number=number,
                purchased_on=today - timedelta(days=purchased_days_ago),
                delivered_on=today - timedelta(days=delivered_days_ago),
            ),
        )
        line = cast(OrderLine, OrderLineFactory(order=order, product__name=product))
        return Bought(customer=customer, order=order, line=line)

    return buy
