"""Security headers on every page, and no inline script, style or event handler in any page's HTML.

The Content-Security-Policy (django-csp) allows scripts and styles from our
own files only, so the pages must not need anything inline: the HTML of every
portal page, error page and the main admin pages is parsed to prove it.
"""

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from sesame.utils import get_token

from claims.lifecycle import Status
from claims.models import Notification
from tests.factories import STAFF_PASSWORD
from tests.security.world import ANONYMOUS, CARE, MANAGER, OWNER, WAREHOUSE, World

pytestmark = pytest.mark.django_db

HSTS_SECONDS = 31_536_000


@pytest.fixture(autouse=True)
def _production_like_headers(settings) -> None:
    settings.SECURE_HSTS_SECONDS = HSTS_SECONDS
    settings.SECURE_SSL_REDIRECT = False


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts and styles, handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._open: tuple[str, bool] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> handler")
            if name == "style":
                self.problems.append(f"<{tag} style=“{value}”>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "script":
            data_only = (attributes.get("type") or "").lower() == "application/json"
            self._open = ("script", data_only)
        elif tag == "style":
            self._open = ("style", False)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[0] == tag:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open and not self._open[1] and data.strip():
            self.problems.append(f"inline <{self._open[0]}>: {data.strip()[:60]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.problems


def assert_security_headers(response: Any) -> None:
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert response["Strict-Transport-Security"].startswith(f"max-age={HSTS_SECONDS}")
    assert response["X-Content-Type-Options"] == "nosniff"
    # A page whose URL holds a sign-in token lets a later request's Referer carry the origin alone.
    token_in_url = "token=" in response.wsgi_request.META.get("QUERY_STRING", "")
    assert response["Referrer-Policy"] == ("strict-origin" if token_in_url else "same-origin")
    assert response["X-Frame-Options"] == "DENY"


# --- The pages: (who, how to reach it) → expected status -------------------------------------


Page = Callable[[World, Client], Any]


def _get(url: Callable[[World], str], **query: str) -> Page:
    return lambda world, client: client.get(url(world), query, secure=True)


def _claim(status: str, name: str = "portal:claim_detail") -> Callable[[World], str]:
    return lambda world: reverse(name, args=[world.claim(status).rma_number])


def _rate_limited_sign_in(world: World, client: Client) -> Any:
    from django.conf import settings

    settings.ASM_SIGNIN_RATE_PER_EMAIL = 0
    return client.post(
        reverse("portal:sign_in"), {"order_number": "X1", "email": "a@example.com"}, secure=True
    )


def _invalid_return(world: World, client: Client) -> Any:
    url = reverse("portal:file_return", args=[world.line().pk])
    return client.post(url, {"description": ""}, secure=True)


def _csrf_refused(world: World, client: Client) -> Any:
    strict = Client(enforce_csrf_checks=True)
    return strict.post(reverse("portal:sign_in"), {}, secure=True)


def _lockout(world: World, client: Client) -> Any:
    from django.conf import settings

    settings.AXES_FAILURE_LIMIT = 1
    return client.post(
        reverse("admin:login"), {"username": "nobody@asm.example", "password": "wrong"}, secure=True
    )


def _bad_host(world: World, client: Client) -> Any:
    return client.get(reverse("portal:sign_in"), secure=True, HTTP_HOST="evil.example")


def _step(slug: str, status: str) -> Callable[[World], str]:
    return lambda world: reverse("admin:claims_claim_step", args=[world.claim(status).pk, slug])


def _with_a_claim(world: World, url_name: str) -> str:
    world.submitted  # noqa: B018  a page with a claim on it, not an empty list
    return reverse(url_name)


def _admin_url(name: str, object_id: int) -> str:
    return reverse(f"admin:{name}", args=[object_id])


def _notification(world: World) -> str:
    world.submitted  # noqa: B018  filing writes an email's row
    notification = Notification.objects.first()
    assert notification is not None
    return reverse("admin:claims_notification_change", args=[notification.pk])


PORTAL_PAGES: dict[str, tuple[str, Page, int]] = {
    "sign in": (ANONYMOUS, _get(lambda world: reverse("portal:sign_in")), 200),
    "sign in, link sent": (ANONYMOUS, _get(lambda world: reverse("portal:sign_in_sent")), 200),
    "sign in link": (
        ANONYMOUS,
        lambda world, client: client.get(
            reverse("portal:sign_in_link"), {"token": get_token(world.owner)}, secure=True
        ),
        200,
    ),
    "sign in link, invalid (400)": (
        ANONYMOUS,
        _get(lambda world: reverse("portal:sign_in_link"), token="spent"),
        400,
    ),
    "policy": (ANONYMOUS, _get(lambda world: reverse("portal:policy")), 200),
    "my orders": (OWNER, _get(lambda world: _with_a_claim(world, "portal:orders")), 200),
    "file a return": (OWNER, _get(lambda world: reverse("portal:file_return", args=[world.line().pk])), 200),
    "file a return, with errors": (OWNER, _invalid_return, 200),
    "file a warranty claim": (
        OWNER,
        _get(lambda world: reverse("portal:file_warranty", args=[world.line().pk])),
        200,
    ),
    "claim, submitted": (OWNER, _get(_claim(Status.SUBMITTED)), 200),
    "claim, information requested": (OWNER, _get(_claim(Status.INFO_REQUESTED)), 200),
    "claim, approved": (OWNER, _get(_claim(Status.APPROVED)), 200),
    "claim, resolved": (OWNER, _get(_claim(Status.RESOLVED)), 200),
    "cancel a claim": (OWNER, _get(_claim(Status.SUBMITTED, "portal:cancel")), 200),
    "404": (OWNER, _get(lambda world: "/claims/RMA-2020-999999/"), 404),
    "400 (unknown host)": (ANONYMOUS, _bad_host, 400),
    "429": (ANONYMOUS, _rate_limited_sign_in, 429),
    "403 (CSRF)": (ANONYMOUS, _csrf_refused, 403),
}

ADMIN_PAGES: dict[str, tuple[str, Page, int]] = {
    "admin login": (ANONYMOUS, _get(lambda world: reverse("admin:login")), 200),
    "admin lockout (429)": (ANONYMOUS, _lockout, 429),
    "admin index": (CARE, _get(lambda world: reverse("admin:index")), 200),
    "claims list": (
        CARE,
        _get(lambda world: (world.submitted, reverse("admin:claims_claim_changelist"))[1]),
        200,
    ),
    "claim page": (
        CARE,
        _get(lambda world: reverse("admin:claims_claim_change", args=[world.submitted.pk])),
        200,
    ),
    "claim history": (
        CARE,
        _get(lambda world: reverse("admin:claims_claim_history", args=[world.submitted.pk])),
        200,
    ),
    "step: ask for information": (CARE, _get(_step("request-info", Status.SUBMITTED)), 200),
    "step: approve": (CARE, _get(_step("approve", Status.SUBMITTED)), 200),
    "step: reject": (CARE, _get(_step("reject", Status.SUBMITTED)), 200),
    "step: resolve": (CARE, _get(_step("resolve", Status.INSPECTED)), 200),
    "step: internal note": (CARE, _get(_step("note", Status.SUBMITTED)), 200),
    "file for a customer": (
        CARE,
        lambda world, client: client.get(
            reverse("admin:claims_claim_add"), {"order": world.line().order.number}, secure=True
        ),
        200,
    ),
    "order page": (
        CARE,
        _get(lambda world: reverse("admin:claims_order_change", args=[world.submitted.order_line.order.pk])),
        200,
    ),
    "customer page": (
        CARE,
        _get(lambda world: reverse("admin:claims_customer_change", args=[world.owner.pk])),
        200,
    ),
    "email outbox": (CARE, _get(_notification), 200),
    "warehouse": (WAREHOUSE, _get(lambda world: reverse("admin:claims_claim_warehouse")), 200),
    "warehouse: receive": (
        WAREHOUSE,
        _get(
            lambda world: reverse(
                "admin:claims_claim_warehouse_claim", args=[world.claim(Status.APPROVED).pk]
            )
        ),
        200,
    ),
    "warehouse: inspect": (
        WAREHOUSE,
        _get(
            lambda world: reverse(
                "admin:claims_claim_warehouse_claim", args=[world.claim(Status.RECEIVED).pk]
            )
        ),
        200,
    ),
    "deadline dashboard": (MANAGER, _get(lambda world: reverse("admin:claims_claim_dashboard")), 200),
    "policy terms": (
        MANAGER,
        _get(lambda world: reverse("admin:policies_policyterms_changelist")),
        200,
    ),
    "closure days": (MANAGER, _get(lambda world: reverse("admin:policies_closureday_add")), 200),
    "403 in the admin": (WAREHOUSE, _get(lambda world: reverse("admin:claims_claim_changelist")), 403),
}


def _render(world: World, actor: str, page: Page) -> Any:
    client = world.client(actor)
    return page(world, client)


@pytest.mark.parametrize(("actor", "page", "status"), PORTAL_PAGES.values(), ids=PORTAL_PAGES.keys())
def test_portal_pages_have_the_security_headers_and_no_inline_code(world: World, actor, page, status):
    response = _render(world, actor, page)

    assert response.status_code == status
    assert_security_headers(response)
    assert inline_code(response.content.decode()) == []


@pytest.mark.parametrize(("actor", "page", "status"), ADMIN_PAGES.values(), ids=ADMIN_PAGES.keys())
def test_admin_pages_have_the_security_headers_and_no_inline_code(world: World, actor, page, status):
    response = _render(world, actor, page)

    assert response.status_code == status
    assert_security_headers(response)
    assert inline_code(response.content.decode()) == []


def test_the_inline_code_finder_finds_what_the_policy_would_block():
    html = (
        '<script>alert(1)</script><script src="/static/a.js"></script>'
        '<script type="application/json">{"a": 1}</script>'
        '<p style="color:red" onclick="x()"><a href="javascript:x()">x</a></p><style>p{}</style>'
    )
    assert len(inline_code(html)) == 5


def test_photos_are_served_with_the_same_headers(world: World):
    response = world.client(OWNER).get(reverse("claim_photo", args=[world.attached_photo.pk]), secure=True)

    assert response.status_code == 200
    assert_security_headers(response)
    assert response["Content-Type"] == "image/jpeg"


def test_a_good_staff_login_and_the_page_after_it_have_the_headers(world: World):
    client = Client()
    signed_in = client.post(
        reverse("admin:login"),
        {"username": world.staff(CARE).email, "password": STAFF_PASSWORD, "next": reverse("admin:index")},
        secure=True,
    )
    index = client.get(signed_in["Location"], secure=True)

    assert signed_in.status_code == 302
    assert_security_headers(signed_in)
    assert index.status_code == 200
    assert_security_headers(index)
