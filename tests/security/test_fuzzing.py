"""hypothesis fuzzing of every form, portal and admin: no input produces a 500.

Each form is posted through the test client with arbitrary text (any unicode,
control characters, NUL, huge values, empty), arbitrary choices, lists where
one value is expected and unknown extra fields. A 4xx or a page with errors is
fine; a server error fails the test (the client re-raises it).

The quick ``ci`` profile runs on every ``make test``; ``HYPOTHESIS_PROFILE=long``
runs 1,000 examples per form (the README has the command).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from claims.lifecycle import Status
from claims.models import ClaimKind, Outcome, RejectReason
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
    "signs_of_user_damage",
    "signs_of_third_party_repair",
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
