"""Every URL that carries an id × every kind of visitor → exactly the expected answer.

The portal answers 404 for anything that is not the visitor's own (as if it did
not exist) and sends strangers to sign in; the admin sends non-staff to its
login and answers 403 to staff whose role lacks the permission. A refused
request, GET or POST, changes nothing: no claim, event, email, photo, term or
closure moves. The last test walks Django's URL resolver, so a new URL with
an id fails here until it is given its row.
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from claims.lifecycle import ClaimKind, Outcome, Status
from claims.models import Claim, Notification
from policies.models import PolicyTerms
from policies.reasons import ReturnReason
from shop_api.keys import create_api_key
from shop_api.models import OrderFileImport, WebhookDelivery, WebhookEndpoint
from shop_api.webhooks import new_secret
from tests.security.world import (
    ACTORS,
    ANONYMOUS,
    CARE,
    MANAGER,
    NO_ROLE,
    OTHER_CUSTOMER,
    OWNER,
    WAREHOUSE,
    World,
    snapshot,
)

pytestmark = pytest.mark.django_db

# The answers. DONE is a POST that did its work: a redirect, and something was written.
OK = "200"
DONE = "done"
REDIRECT = "redirect"
LOGIN = "login"
NOT_FOUND = "404"
FORBIDDEN = "403"


def portal(*, owner: str, photos_for_staff: bool = False) -> dict[str, str]:
    """A portal page: the owner's answer; 404 for everyone else signed in; strangers sign in."""
    staff_answer = OK if photos_for_staff else NOT_FOUND
    return {
        ANONYMOUS: LOGIN,
        OWNER: owner,
        OTHER_CUSTOMER: NOT_FOUND,
        CARE: staff_answer,
        WAREHOUSE: staff_answer,
        MANAGER: staff_answer,
        NO_ROLE: NOT_FOUND,
    }


def admin(*, allowed: tuple[str, ...] = (), answer: str = OK, others: str = FORBIDDEN) -> dict[str, str]:
    """An admin page: customers and strangers go to the admin login; staff by role."""
    answers = {ANONYMOUS: LOGIN, OWNER: LOGIN, OTHER_CUSTOMER: LOGIN}
    for role in (CARE, WAREHOUSE, MANAGER, NO_ROLE):
        answers[role] = answer if role in allowed else others
    return answers


CARE_ROLES = (CARE, MANAGER)


@dataclass(frozen=True)
class Case:
    """One request: ``target`` builds the URL (and the POST data) from the world."""

    name: str
    method: str
    target: Callable[[World], tuple[str, dict[str, Any]]]
    answers: dict[str, str]


def get(name: str, url: Callable[[World], str], answers: dict[str, str]) -> Case:
    return Case(name, "get", lambda world: (url(world), {}), answers)


def post(name: str, target: Callable[[World], tuple[str, dict[str, Any]]], answers: dict[str, str]) -> Case:
    return Case(name, "post", target, answers)


# --- Portal ---------------------------------------------------------------------------


def _line_url(name: str) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[world.line().pk])


def _claim_url(name: str, status: str = Status.SUBMITTED) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[world.claim(status).rma_number])


def _file_return(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("portal:file_return", args=[world.line().pk]), {
        "return_reason": ReturnReason.CHANGED_MIND,
        "quantity": "1",
        "intact_unused_packaged": "on",
        "no_user_damage": "on",
        "all_accessories_included": "on",
        "description": "I changed my mind.",
    }


def _file_warranty(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("portal:file_warranty", args=[world.line().pk]), {
        "defect_category": "manufacturing_breakage",
        "quantity": "1",
        "description": "A wing came off the base.",
        "photos": [str(world.draft_photo.pk)],
        "not_dropped_or_mishandled": "on",
        "no_third_party_repair": "on",
    }


def _mark_shipped(world: World) -> tuple[str, dict[str, Any]]:
    claim = world.claim(Status.APPROVED)
    return reverse("portal:mark_shipped", args=[claim.rma_number]), {
        "shipped_on": timezone.localdate().isoformat(),
        "carrier": "VNPost",
        "tracking_number": "VN123",
    }


def _answer(world: World) -> tuple[str, dict[str, Any]]:
    claim = world.claim(Status.INFO_REQUESTED)
    return reverse("portal:answer", args=[claim.rma_number]), {"answer": "Here is the box."}


def _cancel(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("portal:cancel", args=[world.submitted.rma_number]), {}


PORTAL_CASES = [
    get("portal:file_return", _line_url("portal:file_return"), portal(owner=OK)),
    get("portal:file_warranty", _line_url("portal:file_warranty"), portal(owner=OK)),
    post("portal:file_return", _file_return, portal(owner=DONE)),
    post("portal:file_warranty", _file_warranty, portal(owner=DONE)),
    get("portal:claim_detail", _claim_url("portal:claim_detail"), portal(owner=OK)),
    post("portal:mark_shipped", _mark_shipped, portal(owner=DONE)),
    post("portal:answer", _answer, portal(owner=DONE)),
    get("portal:cancel", _claim_url("portal:cancel"), portal(owner=OK)),
    get(
        "portal:claim_slip",
        lambda world: reverse("portal:claim_slip", args=[world.claim(Status.APPROVED).rma_number, "a4"]),
        portal(owner=OK),
    ),
    post("portal:cancel", _cancel, portal(owner=DONE)),
    get(
        "claim_photo",
        lambda world: reverse("claim_photo", args=[world.attached_photo.pk]),
        portal(owner=OK, photos_for_staff=True),
    ),
    get(
        "claim_photo_thumbnail",
        lambda world: reverse("claim_photo_thumbnail", args=[world.attached_photo.pk]),
        portal(owner=OK, photos_for_staff=True),
    ),
    get(
        "claim_photo (a draft)",
        lambda world: reverse("claim_photo", args=[world.draft_photo.pk]),
        portal(owner=OK, photos_for_staff=True),
    ),
]

# --- Admin: the claim, its steps, the warehouse ------------------------------------------


def _step(slug: str, status: str, data: Callable[[Claim], dict[str, Any]]) -> list[Case]:
    def target(world: World) -> tuple[str, dict[str, Any]]:
        claim = world.claim(status)
        return reverse("admin:claims_claim_step", args=[claim.pk, slug]), data(claim)

    return [
        get(
            f"admin:claims_claim_step {slug}",
            lambda world: target(world)[0],
            admin(allowed=CARE_ROLES),
        ),
        post(f"admin:claims_claim_step {slug}", target, admin(allowed=CARE_ROLES, answer=DONE)),
    ]


STEP_CASES = [
    *_step("request-info", Status.SUBMITTED, lambda claim: {"question": "A photo of the box, please?"}),
    *_step("approve", Status.SUBMITTED, lambda claim: {"shipping_payer": claim.shipping_payer}),
    *_step("reject", Status.SUBMITTED, lambda claim: {"reason": "other", "message": "Not eligible."}),
    *_step(
        "resolve",
        Status.INSPECTED,
        lambda claim: {"outcome": Outcome.REFUND, "refund_amount": "1250000", "payment_reference": "PAY-9"},
    ),
    *_step("note", Status.SUBMITTED, lambda claim: {"body": "Called the customer."}),
]


def _warehouse(step: str, status: str, data: dict[str, Any]) -> Case:
    def target(world: World) -> tuple[str, dict[str, Any]]:
        claim = world.claim(status)
        return reverse("admin:claims_claim_warehouse_claim", args=[claim.pk]), {"step": step, **data}

    return post(
        f"admin:claims_claim_warehouse_claim {step}", target, admin(allowed=(WAREHOUSE,), answer=DONE)
    )


WAREHOUSE_CASES = [
    get(
        "admin:claims_claim_warehouse_claim",
        lambda world: reverse("admin:claims_claim_warehouse_claim", args=[world.claim(Status.APPROVED).pk]),
        admin(allowed=(WAREHOUSE,)),
    ),
    get(
        "admin:claims_claim_slip",
        lambda world: reverse("admin:claims_claim_slip", args=[world.claim(Status.APPROVED).pk, "a6"]),
        # The claim's customer and address: 404 for staff without a role, as on the portal.
        admin(allowed=(CARE, WAREHOUSE, MANAGER), others=NOT_FOUND),
    ),
    _warehouse("receive", Status.APPROVED, {"received_on": "__today__"}),
    _warehouse(
        "inspect",
        Status.RECEIVED,
        {
            "found_intact_unused_packaged": "on",
            "found_no_user_damage": "on",
            "found_all_accessories_included": "on",
            "notes": "All there.",
        },
    ),
]


def _model_pages(
    model_url: str,
    instance: Callable[[World], Any],
    *,
    viewers: tuple[str, ...],
    deleters: tuple[str, ...] = (),
) -> list[Case]:
    """The change, history, delete and short (redirecting) pages of one object."""

    def url(suffix: str) -> Callable[[World], str]:
        return lambda world: reverse(f"admin:{model_url}_{suffix}", args=[instance(world).pk])

    return [
        get(f"admin:{model_url}_change", url("change"), admin(allowed=viewers)),
        get(f"admin:{model_url}_history", url("history"), admin(allowed=viewers)),
        get(f"admin:{model_url}_delete", url("delete"), admin(allowed=deleters)),
        get(
            f"admin:{model_url} (short)",
            lambda world: reverse(f"admin:{model_url}_change", args=[instance(world).pk]).removesuffix(
                "change/"
            ),
            admin(allowed=(CARE, WAREHOUSE, MANAGER, NO_ROLE), answer=REDIRECT),
        ),
    ]


def _notification(world: World) -> Notification:
    world.submitted  # noqa: B018  filing writes the confirmation email's row
    notification = Notification.objects.filter(claim=world.submitted).first()
    assert notification is not None
    return notification


def _terms_change(world: World) -> tuple[str, dict[str, Any]]:
    terms = PolicyTerms.objects.get()
    data = {key: value for key, value in model_to_dict(terms).items() if value is not None}
    data["return_window_days"] = 30
    return reverse("admin:policies_policyterms_change", args=[terms.pk]), data


def _closure_change(world: World) -> tuple[str, dict[str, Any]]:
    closure = world.closure_day
    return reverse("admin:policies_closureday_change", args=[closure.pk]), {
        "date": "2031-01-03",
        "description": "Moved",
    }


def _closure_delete(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("admin:policies_closureday_delete", args=[world.closure_day.pk]), {"post": "yes"}


def _claim_delete(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("admin:claims_claim_delete", args=[world.submitted.pk]), {"post": "yes"}


def _view_on_site(world: World) -> str:
    content_type = ContentType.objects.get_for_model(Claim)
    return reverse("admin:view_on_site", args=[content_type.pk, world.submitted.pk])


ADMIN_CASES = [
    *STEP_CASES,
    *WAREHOUSE_CASES,
    *_model_pages("claims_claim", lambda world: world.submitted, viewers=CARE_ROLES),
    post("admin:claims_claim_delete", _claim_delete, admin()),
    *_model_pages("claims_order", lambda world: world.submitted.order_line.order, viewers=CARE_ROLES),
    *_model_pages("claims_customer", lambda world: world.owner, viewers=CARE_ROLES),
    *_model_pages("claims_product", lambda world: world.submitted.order_line.product, viewers=CARE_ROLES),
    *_model_pages("claims_notification", _notification, viewers=CARE_ROLES),
    *_model_pages("claims_user", lambda world: world.owner, viewers=()),
    get(
        "admin:auth_user_password_change",
        lambda world: reverse("admin:auth_user_password_change", args=[world.staff(CARE).pk]),
        admin(),
    ),
    *_model_pages("auth_group", lambda world: world.staff(CARE).groups.get(), viewers=()),
    *_model_pages("axes_accessattempt", lambda world: world.access_attempt, viewers=()),
    *_model_pages(
        "axes_accesslog",
        lambda world: AccessLog.objects.create(
            username="x@asm.example", ip_address="10.0.0.9", user_agent="test"
        ),
        viewers=(),
    ),
    *_model_pages(
        "axes_accessfailurelog",
        lambda world: AccessFailureLog.objects.create(
            username="x@asm.example", ip_address="10.0.0.9", user_agent="test", locked_out=False
        ),
        viewers=(),
    ),
    *_model_pages("policies_policyterms", lambda world: PolicyTerms.objects.get(), viewers=(MANAGER,)),
    post("admin:policies_policyterms_change", _terms_change, admin(allowed=(MANAGER,), answer=DONE)),
    *_model_pages(
        "policies_closureday", lambda world: world.closure_day, viewers=(MANAGER,), deleters=(MANAGER,)
    ),
    post("admin:policies_closureday_change", _closure_change, admin(allowed=(MANAGER,), answer=DONE)),
    post("admin:policies_closureday_delete", _closure_delete, admin(allowed=(MANAGER,), answer=DONE)),
    # No model has a page on the site: staff get 404 rather than a redirect into the portal.
    get("admin:view_on_site", _view_on_site, admin(allowed=(), others=NOT_FOUND)),
]


def _endpoint(world: World) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(name="Web shop", url="https://shop.example/hooks", events=["claim.submitted"])
    new_secret(endpoint)
    endpoint.save()
    return endpoint


def _delivery(world: World) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=_endpoint(world),
        event="claim.submitted",
        event_id=uuid.uuid4(),
        claim=world.submitted,
        body="{}",
    )


def _order_file(world: World) -> OrderFileImport:
    upload = OrderFileImport(original_name="orders.csv", state=OrderFileImport.State.PREVIEWED, rows=1)
    upload.file.save("orders.csv", ContentFile(b"order_number\n"), save=True)
    return upload


def _confirm(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("admin:shop_api_orderfileimport_confirm", args=[_order_file(world).pk]), {}


def _everyone(answer: str) -> dict[str, str]:
    return dict.fromkeys(ACTORS, answer)


SHOP_CASES = [
    *_model_pages(
        "shop_api_apikey",
        lambda world: (
            create_api_key(
                name="Web shop", can_write_orders=True, can_read_claims=True, created_by=None
            ).api_key
        ),
        viewers=(MANAGER,),
    ),
    *_model_pages("shop_api_webhookendpoint", _endpoint, viewers=(MANAGER,)),
    *_model_pages("shop_api_webhookdelivery", _delivery, viewers=(MANAGER,)),
    *_model_pages("shop_api_orderfileimport", _order_file, viewers=(MANAGER,)),
    get(
        "admin:shop_api_orderfileimport_progress",
        lambda world: reverse("admin:shop_api_orderfileimport_progress", args=[_order_file(world).pk]),
        admin(allowed=(MANAGER,)),
    ),
    post("admin:shop_api_orderfileimport_confirm", _confirm, admin(allowed=(MANAGER,), answer=DONE)),
    # The API knows no session: without a key every visitor is a 401 (the keys: tests/shop_api).
    get("api:claim", lambda world: f"/api/v1/claims/{world.submitted.rma_number}", _everyone("401")),
    get("api:order (PUT only)", lambda world: "/api/v1/orders/ASM-1", _everyone("405")),
]

CASES = PORTAL_CASES + ADMIN_CASES + SHOP_CASES


def _today(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: timezone.localdate().isoformat() if value == "__today__" else value
        for key, value in data.items()
    }


def _wrong_answer(response: Any, expected: str, *, changed: bool) -> str | None:
    """Why ``response`` is not the ``expected`` answer, or None when it is."""
    status = response.status_code
    location = response.get("Location", "")
    sent_to_login = location.startswith(("/admin/login/?next=", "/sign-in/?next="))
    if expected == DONE:
        if status != 302 or sent_to_login:
            return f"expected the POST to be done, got {status} {location}"
        return None if changed else "accepted but wrote nothing"
    if changed:
        return f"answered {status} but changed something"
    if expected in (LOGIN, REDIRECT):
        if status != 302 or sent_to_login != (expected == LOGIN):
            return f"expected {expected}, got {status} {location}"
        return None
    return None if status == int(expected) else f"expected {expected}, got {status}"


GET_CASES = [case for case in CASES if case.method == "get"]
POST_CASES = [case for case in CASES if case.method == "post"]


@pytest.mark.parametrize("case", GET_CASES, ids=[case.name for case in GET_CASES])
def test_each_page_with_an_id_answers_each_visitor_as_expected(world: World, case: Case):
    """A GET changes nothing, so one object serves every visitor in turn."""
    clients = {actor: world.client(actor) for actor in ACTORS}
    url, _data = case.target(world)
    before = snapshot()

    wrong = {}
    for actor, client in clients.items():
        response = client.get(url)
        problem = _wrong_answer(response, case.answers[actor], changed=snapshot() != before)
        if problem:
            wrong[actor] = problem

    assert wrong == {}, url


@pytest.mark.parametrize(
    ("case", "actor"),
    [pytest.param(case, actor, id=f"{case.name} × {actor}") for case in POST_CASES for actor in ACTORS],
)
def test_each_post_with_an_id_answers_each_visitor_as_expected(world: World, case: Case, actor: str):
    """Each POST on fresh objects: refused ones change nothing, accepted ones write something."""
    client = world.client(actor)
    url, data = case.target(world)
    before = snapshot()

    response = client.post(url, _today(data))

    assert _wrong_answer(response, case.answers[actor], changed=snapshot() != before) is None


def _routes_with_ids(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    not_ids = {"app_label", "url", "slug"}
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes_with_ids(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            names = set(pattern.pattern.regex.groupindex)
            if names - not_ids:
                yield route


def test_every_url_with_an_id_is_in_the_matrix(world: World):
    covered = {resolve(case.target(world)[0].split("?")[0]).route for case in CASES}
    missing = sorted(set(_routes_with_ids(get_resolver().url_patterns)) - covered)
    assert missing == [], f"URLs with an id that the access matrix does not check: {missing}"


def test_the_matrix_checks_a_refused_post_for_every_post_it_allows():
    for case in CASES:
        if case.method == "post":
            refused = [actor for actor, answer in case.answers.items() if answer != DONE]
            assert refused, case.name


def test_a_claim_page_of_each_kind_and_status_is_404_for_another_customer(world: World):
    claims = [world.claim(status) for status in (Status.SUBMITTED, Status.APPROVED, Status.RESOLVED)]
    claims.append(world.claim(Status.SUBMITTED, kind=ClaimKind.WARRANTY))
    other = world.client(OTHER_CUSTOMER)
    for claim in claims:
        assert other.get(reverse("portal:claim_detail", args=[claim.rma_number])).status_code == 404
