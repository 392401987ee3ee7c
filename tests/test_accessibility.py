"""axe-core in real Chromium on every page the customers and the three staff roles use, at a phone's and a
laptop's size: no serious or critical WCAG 2.1 A/AA violation. The demo data gives each page its
realistic content (claims in every state). A screenshot of each page is kept in var/screenshots/.

axe-core is the npm package's ``axe.min.js``, vendored for the tests only (tests/vendor/axe-core).
"""

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from claims.demo import STAFF, seed_demo
from claims.lifecycle import ClaimKind, Status
from claims.models import Claim, OrderLine, User
from tests.factories import ensure_roles
from tests.portal.conftest import SCREENSHOTS

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
VIEWPORTS = {"phone": (360, 740), "laptop": (1280, 800)}

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]
SEEDED_TERMS = importlib.import_module("policies.migrations.0002_seed_terms")


@pytest.fixture
def demo(settings) -> None:
    """The demo data on the terms and roles the data migrations make (a transactional test's flush
    removed them)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_roles()
    SEEDED_TERMS.seed_terms(apps, None)
    seed_demo()


def claim_in(status: str, kind: str = ClaimKind.RETURN) -> Claim:
    claim = Claim.objects.filter(status=status, kind=kind).order_by("pk").first()
    assert claim is not None, f"the demo has no {kind} claim in {status}"
    return claim


def customer_pages() -> dict[str, list[str]]:
    """Each customer's pages, by the customer's email."""
    pages: dict[str, list[str]] = {}
    for status in Status:
        claim = Claim.objects.filter(status=status).order_by("pk").first()
        if claim is not None:
            email = claim.order_line.order.customer.email
            pages.setdefault(email, []).append(reverse("portal:claim_detail", args=[claim.rma_number]))
    returnable = OrderLine.objects.filter(order__number="ASM-DEMO-1001").order_by("pk").first()
    under_warranty = OrderLine.objects.filter(order__number="ASM-DEMO-1002").order_by("pk").first()
    assert returnable is not None
    assert under_warranty is not None
    pages.setdefault(returnable.order.customer.email, []).extend(
        [
            reverse("portal:orders"),
            reverse("portal:policy"),
            reverse("portal:file_return", args=[returnable.pk]),
            reverse("portal:file_warranty", args=[under_warranty.pk]),
        ]
    )
    return pages


def staff_pages() -> dict[str, list[str]]:
    """Each staff role's pages, by the demo login's email."""
    submitted, inspected = claim_in(Status.SUBMITTED), claim_in(Status.INSPECTED, ClaimKind.WARRANTY)
    approved, received = claim_in(Status.APPROVED), claim_in(Status.RECEIVED)

    def step(claim: Claim, slug: str) -> str:
        return reverse("admin:claims_claim_step", args=[claim.pk, slug])

    def warehouse_claim(claim: Claim) -> str:
        return reverse("admin:claims_claim_warehouse_claim", args=[claim.pk])

    return {
        "care@asm.example": [
            reverse("admin:index"),
            f"{reverse('admin:claims_claim_changelist')}?queue=open",
            reverse("admin:claims_claim_change", args=[inspected.pk]),
            step(submitted, "approve"),
            step(inspected, "resolve"),
            f"{reverse('admin:claims_claim_add')}?order=ASM-DEMO-1001",
        ],
        "warehouse@asm.example": [
            reverse("admin:index"),
            reverse("admin:claims_claim_warehouse"),
            warehouse_claim(approved),
            warehouse_claim(received),
        ],
        "manager@asm.example": [
            reverse("admin:index"),
            reverse("admin:claims_claim_dashboard"),
            reverse("admin:policies_policyterms_changelist"),
        ],
    }


def signed_in_context(browser: Any, live_server: Any, email: str, size: tuple[int, int]) -> Any:
    """A browser context signed in as the user: staff through the admin login, customers by session."""
    width, height = size
    # The pages' CSP forbids inline scripts, which is how the test adds axe-core: bypassed for axe only.
    context = browser.new_context(
        viewport={"width": width, "height": height}, base_url=live_server.url, bypass_csp=True
    )
    staff = {member.email: member.password for member in STAFF}
    if not email:
        pass  # a visitor not signed in
    elif email in staff:
        page = context.new_page()
        page.goto(reverse("admin:login"))
        page.fill("#id_username", email)
        page.fill("#id_password", staff[email])
        page.click("input[type=submit]")
        # Signed in: the home page, or the warehouse page for the warehouse.
        page.wait_for_url(lambda url: "/login/" not in url)
        page.close()
    else:
        client = Client()
        client.force_login(User.objects.get(email=email))
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
    return context


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.1 A/AA violations axe-core finds on the page as it stands."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_A_AA,
    )
    return [violation for violation in result["violations"] if violation["impact"] in FAILING_IMPACTS]


def described(violation: dict[str, Any]) -> str:
    targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}"


@pytest.fixture
def audit(chromium: Any, live_server: Any, request: pytest.FixtureRequest) -> Any:
    """``audit(email, paths)``: each path at each viewport, screenshotted; returns what axe found."""
    folder = SCREENSHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)

    def run(email: str, paths: list[str]) -> list[str]:
        found = []
        for viewport, size in VIEWPORTS.items():
            context = signed_in_context(chromium, live_server, email, size)
            page = context.new_page()
            for path in paths:
                response = page.goto(path)
                assert response is not None
                assert response.status == 200, f"{email} {path}: {response.status}"
                name = f"{email.split('@')[0] or 'visitor'}{path}".replace("/", "_").replace("?", "_")
                page.screenshot(path=str(folder / f"{viewport}-{name}.png"), full_page=True)
                found += [f"{viewport} {email} {path}: {described(v)}" for v in axe_violations(page)]
            context.close()
        return found

    return run


def test_the_portal_pages_have_no_serious_accessibility_violations(demo, audit):
    anonymous = [reverse("portal:home"), reverse("portal:sign_in"), reverse("portal:policy")]
    violations = audit("", anonymous)
    for email, paths in customer_pages().items():
        violations += audit(email, paths)
    assert violations == [], "\n".join(violations)


def test_the_back_office_pages_have_no_serious_accessibility_violations(demo, audit):
    violations = []
    for email, paths in staff_pages().items():
        violations += audit(email, paths)
    assert violations == [], "\n".join(violations)


def test_the_care_queue_shows_its_key_columns_without_scrolling_at_1280(demo, chromium, live_server):
    """Age, the next date (with its due-soon / overdue colours) and the payer in view at 1280 × 800."""
    context = signed_in_context(chromium, live_server, "care@asm.example", VIEWPORTS["laptop"])
    page = context.new_page()
    page.goto(f"{reverse('admin:claims_claim_changelist')}?queue=open")
    table_width = page.locator("#result_list").evaluate("table => table.scrollWidth")
    box_width = page.locator("#changelist .results").evaluate("box => box.clientWidth")
    assert table_width <= box_width
    for column in ("age", "next_date", "shipping_payer"):
        cell = page.locator(f"#result_list td.field-{column}").first
        box = cell.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= 1280, column
    assert page.locator("#result_list .asm-overdue").count() >= 1  # the demo has an overdue claim
    context.close()
