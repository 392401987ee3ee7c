"""hypothesis fuzzing of every form, portal and admin: no input produces a 500.

Each form is posted through the test client with arbitrary text (any unicode,
control characters, NUL, huge values, empty), arbitrary choices, lists where
one value is expected and unknown extra fields. A 4xx or a page with errors is
fine; a server error fails the test (the client re-raises it).

The addresses are fuzzed too, on PostgreSQL (which refuses NUL in text, so a
NUL that reached a query would show): every path segment of every URL the site
routes, and every query parameter of every admin list page (its filters, its
date drill-down, search, ordering, paging), each tried by a superuser.

The quick ``ci`` profile runs on every ``make test``; ``HYPOTHESIS_PROFILE=long``
runs 1,000 examples per form (docs/security.md has the command).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.lifecycle import ClaimKind, Outcome, RejectReason, Status
from policies.reasons import DefectCategory, ReturnReason, ShippingPayer
from tests.security.fuzz_profiles import FUZZ
from tests.security.world import ANONYMOUS, CARE, OWNER, WAREHOUSE, World

pytestmark = pytest.mark.django_db

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n\t\x0b\x0c",
    "\u202e\u200b\ufeff",
    "😀" * 50,
    "0",
    "-1",
    "1e309",
    "NaN",
    "Infinity",
    "99999999999999999999999999",
    "9223372036854775808",
    "²",
    "١٢٣",
    "0.001",
    "2024-02-30",
    "0000-00-00",
    "9999-12-31",
    "1900-01-01",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%s%n",
    "{{ settings.SECRET_KEY }}",
    "x" * 6000,
    "RMA-2026-000001",
    "rma-2026-000001 ",
    "on",
    "true",
]
CHOICES = [
    *ReturnReason.values,
    *DefectCategory.values,
    *ShippingPayer.values,
    *RejectReason.values,
    *Outcome.values,
    *ClaimKind.values,
    "upload",
    "receive",
    "inspect",
]

text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
value = st.one_of(text, st.sampled_from(NASTY), st.sampled_from(CHOICES), st.integers().map(str))
values = st.one_of(value, st.lists(value, min_size=0, max_size=4))


def payload(fields: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the form's fields, each with any value(s), plus unknown fields."""
    known = st.dictionaries(st.sampled_from(fields), values, max_size=len(fields)) if fields else st.just({})
    unknown = st.dictionaries(text.filter(lambda name: name not in fields), value, max_size=3)
    return st.tuples(known, unknown).map(lambda both: {**both[1], **both[0]})


@dataclass(frozen=True)
class FuzzedForm:
    name: str
    actor: str
    method: str
    url: Callable[[World], str]
    fields: tuple[str, ...]


def _claim(status: str, kind: str = ClaimKind.RETURN) -> Callable[[World], Any]:
    return lambda world: world.claim(status, kind=kind)


def _portal_claim(name: str, status: str) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[_claim(status)(world).rma_number])


def _admin(name: str, status: str, *extra: str) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[_claim(status)(world).pk, *extra])


def _url(name: str, *args: Any) -> Callable[[World], str]:
    return lambda world: reverse(name, args=args)


def _line(name: str) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[world.line().pk])


def _file_for_customer(world: World) -> str:
    return f"{reverse('admin:claims_claim_add')}?order={world.line().order.number}"


PHOTO_FIELDS = ("photos", "remove_photo", "action")
DECLARATION = ("intact_unused_packaged", "no_user_damage", "all_accessories_included")
WARRANTY_STATEMENTS = ("not_dropped_or_mishandled", "no_third_party_repair")
FINDINGS = (
    "found_intact_unused_packaged",
    "found_no_user_damage",
    "found_all_accessories_included",
    "found_not_dropped_or_mishandled",
    "found_no_third_party_repair",
    "defect_confirmed",
    "shipping_damage_confirmed",
)

FORMS = [
    FuzzedForm("portal sign-in", ANONYMOUS, "post", _url("portal:sign_in"), ("order_number", "email")),
    FuzzedForm("portal sign-in link", ANONYMOUS, "post", _url("portal:sign_in_link"), ("token",)),
    FuzzedForm(
        "portal return",
        OWNER,
        "post",
        _line("portal:file_return"),
        ("return_reason", "quantity", "description", "carry_over", *DECLARATION, *PHOTO_FIELDS),
    ),
    FuzzedForm(
        "portal warranty",
        OWNER,
        "post",
        _line("portal:file_warranty"),
        ("defect_category", "quantity", "description", "carry_over", *WARRANTY_STATEMENTS, *PHOTO_FIELDS),
    ),
    FuzzedForm(
        "portal mark shipped",
        OWNER,
        "post",
        _portal_claim("portal:mark_shipped", Status.APPROVED),
        ("shipped_on", "carrier", "tracking_number"),
    ),
    FuzzedForm(
        "portal answer",
        OWNER,
        "post",
        _portal_claim("portal:answer", Status.INFO_REQUESTED),
        ("answer", *PHOTO_FIELDS),
    ),
    FuzzedForm("portal cancel", OWNER, "post", _portal_claim("portal:cancel", Status.SUBMITTED), ()),
    FuzzedForm(
        "admin request info",
        CARE,
        "post",
        _admin("admin:claims_claim_step", Status.SUBMITTED, "request-info"),
        ("question",),
    ),
    FuzzedForm(
        "admin approve",
        CARE,
        "post",
        _admin("admin:claims_claim_step", Status.SUBMITTED, "approve"),
        ("shipping_payer", "payer_override_reason"),
    ),
    FuzzedForm(
        "admin reject",
        CARE,
        "post",
        _admin("admin:claims_claim_step", Status.SUBMITTED, "reject"),
        ("reason", "message"),
    ),
    FuzzedForm(
        "admin resolve",
        CARE,
        "post",
        _admin("admin:claims_claim_step", Status.INSPECTED, "resolve"),
        ("outcome", "refund_amount", "payment_reference", "shipping_reimbursement", "note"),
    ),
    FuzzedForm(
        "admin internal note",
        CARE,
        "post",
        _admin("admin:claims_claim_step", Status.SUBMITTED, "note"),
        ("body",),
    ),
    FuzzedForm("admin warehouse find", WAREHOUSE, "get", _url("admin:claims_claim_warehouse"), ("rma",)),
    FuzzedForm(
        "admin warehouse receive",
        WAREHOUSE,
        "post",
        _admin("admin:claims_claim_warehouse_claim", Status.APPROVED),
        ("step", "received_on"),
    ),
    FuzzedForm(
        "admin warehouse inspect",
        WAREHOUSE,
        "post",
        _admin("admin:claims_claim_warehouse_claim", Status.RECEIVED),
        ("step", "notes", *FINDINGS),
    ),
    FuzzedForm("admin find an order to file for", CARE, "get", _url("admin:claims_claim_add"), ("order",)),
    FuzzedForm(
        "admin staff-filed claim",
        CARE,
        "post",
        _file_for_customer,
        (
            "order_line",
            "kind",
            "quantity",
            "return_reason",
            "defect_category",
            "description",
            *DECLARATION,
            *WARRANTY_STATEMENTS,
        ),
    ),
]


@pytest.mark.parametrize("form", FORMS, ids=[form.name for form in FORMS])
@FUZZ
@given(data=st.data())
def test_no_input_to_any_form_produces_a_server_error(world: World, form: FuzzedForm, data: st.DataObject):
    # Built once per test, then reused by every example: the same claim, page and visitor.
    url = world.__dict__.setdefault(f"fuzz-url {form.name}", form.url(world))
    client = world.__dict__.setdefault(f"fuzz-client {form.name}", world.client(form.actor))
    posted = data.draw(payload(form.fields), label="posted")

    response = getattr(client, form.method)(url, posted)

    assert response.status_code < 500


# Found by the long profile: a photo id beyond the database's integer range, or digits that
# are not ASCII, made the draft-photo lookup fail with a 500.
ODD_PHOTO_IDS = ["9223372036854775808", "99999999999999999999", "²", "١٢٣", "-1", " 7", "7.0"]


@pytest.mark.parametrize("form_name", ["portal return", "portal warranty", "portal answer"])
def test_odd_photo_ids_are_ignored(world: World, form_name: str):
    form = next(form for form in FORMS if form.name == form_name)
    client = world.client(form.actor)

    response = client.post(form.url(world), {"photos": ODD_PHOTO_IDS, "action": "upload"})
    carried_over = client.post(form.url(world), {"photos": ODD_PHOTO_IDS, "carry_over": "1"})

    assert response.status_code == 200
    assert response.context["form"].draft_photos == []
    assert carried_over.status_code == 200


def test_every_form_of_the_brief_is_fuzzed():
    assert len(FORMS) >= 15
    assert {form.actor for form in FORMS} == {ANONYMOUS, OWNER, CARE, WAREHOUSE}


# --- Addresses --------------------------------------------------------------------

PLACEHOLDER = re.compile(r"<(?:\w+:)?\w+>")


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    """Every routed path with a placeholder (``<str:rma_number>``), as written in the URLconf."""
    for pattern in patterns:
        if not isinstance(pattern.pattern, RoutePattern):
            continue  # the admin's app index: a fixed list of app labels
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif PLACEHOLDER.search(route):
            yield route


# The admin's catch-all (a regex: anything under /admin/ that is not a page) is fuzzed as well.
ROUTES = sorted({*_routes(get_resolver().url_patterns), "admin/<url>"})


def _real_segments(world: World) -> list[str]:
    """Values that get past the URL's converter to the view: real ids, an RMA, step names."""
    claim = world.claim(Status.APPROVED)
    return [
        str(claim.pk),
        str(claim.rma_number),
        str(claim.order_line.pk),
        str(world.owner.pk),
        str(world.superuser.pk),
        "approve",
        "resolve",
        "change",
    ]


def _segment(real: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(text, st.sampled_from(NASTY), st.sampled_from(real), st.integers().map(str))


def _client_of(world: World, actor: str) -> Client:
    if actor != "superuser":
        return world.client(actor)
    client = Client()
    client.force_login(world.superuser)
    return client


@pytest.mark.parametrize("route", ROUTES)
@settings(FUZZ, max_examples=max(8, FUZZ.max_examples // 4))
@given(data=st.data())
def test_no_path_segment_produces_a_server_error(postgres, world: World, route: str, data: st.DataObject):
    actor = "superuser" if route.startswith("admin/") else OWNER
    client = world.__dict__.setdefault(f"fuzz-client {actor}", _client_of(world, actor))
    real = world.__dict__.setdefault("fuzz-real segments", _real_segments(world))
    path = PLACEHOLDER.sub(
        lambda _placeholder: quote(data.draw(_segment(real), label="segment"), safe=""), route
    )

    response = client.get(f"/{path}")

    assert response.status_code < 500


CHANGELISTS = sorted(f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry)
# The admin's own parameters, beside the filters each list declares.
ADMIN_PARAMETERS = ("q", "o", "p", "e", "all", "_to_field", "_popup", "_changelist_filters", "queue")


def _model_admin(label: str) -> Any:
    return next(found for model, found in admin.site._registry.items() if model._meta.label_lower == label)


def _list_parameters(world: World, label: str) -> tuple[str, ...]:
    """The parameter names a list page reads: its filters' and its date drill-down's, and the admin's."""
    model_admin = _model_admin(label)
    model = model_admin.model
    request = RequestFactory().get("/")
    request.user = world.superuser
    changelist = model_admin.get_changelist_instance(request)
    names = [name for spec in changelist.filter_specs for name in spec.expected_parameters() if name]
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    names += [f"{field.name}__exact" for field in model._meta.concrete_fields]
    return (*names, *ADMIN_PARAMETERS)


@pytest.mark.parametrize("label", CHANGELISTS)
@FUZZ
@given(data=st.data())
def test_no_query_to_any_admin_list_produces_a_server_error(
    postgres, world: World, label: str, data: st.DataObject
):
    client = world.__dict__.setdefault("fuzz-client superuser", _client_of(world, "superuser"))
    names = world.__dict__.setdefault(f"fuzz-parameters {label}", _list_parameters(world, label))
    world.__dict__.setdefault("fuzz-rows", [world.claim(Status.RECEIVED), world.access_attempt])
    app_label, model_name = label.split(".")
    query = data.draw(payload(names), label="query")

    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), query)

    assert response.status_code < 500


# Each of these once in every place, so the classes of input that once answered 500 are
# always tried, whatever the examples hypothesis draws.
HOSTILE = ["\x00", "RMA-2026-\x00", "\x1b[2J", "9" * 20, "-" + "9" * 20, "9999", "x" * 3000]


@pytest.mark.parametrize("route", ROUTES)
def test_hostile_values_in_every_path_segment(postgres, world: World, route: str):
    actor = "superuser" if route.startswith("admin/") else OWNER
    client = _client_of(world, actor)

    for hostile in HOSTILE:
        response = client.get("/" + PLACEHOLDER.sub(quote(hostile, safe=""), route))
        assert response.status_code < 500, hostile


@pytest.mark.parametrize("label", CHANGELISTS)
def test_hostile_values_in_every_admin_list_parameter(postgres, world: World, label: str):
    client = _client_of(world, "superuser")
    world.claim(Status.RECEIVED)
    url = reverse("admin:{}_{}_changelist".format(*label.split(".")))

    for name in _list_parameters(world, label):
        for hostile in HOSTILE:
            response = client.get(url, {name: hostile})
            assert response.status_code < 500, (name, hostile)
    hierarchy = _model_admin(label).date_hierarchy
    if hierarchy:
        last_day = {f"{hierarchy}__year": "9999", f"{hierarchy}__month": "12", f"{hierarchy}__day": "31"}
        assert client.get(url, last_day).status_code < 500


def test_every_address_and_admin_list_is_fuzzed():
    assert "claims/<str:rma_number>/" in ROUTES
    assert "admin/claims/claim/<int:object_id>/step/<slug:slug>/" in ROUTES
    assert len(ROUTES) >= 60
    assert {"claims.claim", "claims.order", "policies.closureday", "axes.accessattempt"} <= set(CHANGELISTS)
