"""The inputs that answered 500 (issue 11): each now gets the 400 page, a notice, or a message by its field.

The NUL cases prove their point on PostgreSQL, which refuses NUL in text
(`make test` on SQLite still checks the 400); the others fail anywhere.
"""

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from claims.lifecycle import Status
from claims.models import Claim, Notification
from tests.security.world import CARE, MANAGER, OWNER, WAREHOUSE, World

pytestmark = pytest.mark.django_db


def superuser(world: World) -> Client:
    client = Client()
    client.force_login(world.superuser)
    return client


# (who, path, query) — the path may hold percent-escapes; the query is encoded by the client.
CONTROL_CHARACTERS: dict[str, tuple[str, str, dict[str, str]]] = {
    "NUL in a claim's URL": (OWNER, "/claims/RMA-2026-%00/", {}),
    "NUL in a claim's URL, before a step": (OWNER, "/claims/%00/shipped/", {}),
    "a control character in a path": (OWNER, "/claims/RMA%01/", {}),
    "NUL in the warehouse search": (WAREHOUSE, "/admin/claims/claim/warehouse/", {"rma": "RMA\x00"}),
    "NUL in an admin list filter": (CARE, "/admin/claims/claim/", {"status__exact": "approved\x00"}),
    "NUL in an admin search": (CARE, "/admin/claims/claim/", {"q": "ana\x00"}),
    "NUL in the outbox filter": (MANAGER, "/admin/claims/notification/", {"state": "\x00"}),
    "NUL in a parameter's name": (CARE, "/admin/claims/order/", {"number\x00": "1"}),
    "escape character in a filter": (CARE, "/admin/claims/claim/", {"kind__exact": "\x1b[2J"}),
}


@pytest.mark.parametrize("case", CONTROL_CHARACTERS, ids=list(CONTROL_CHARACTERS))
def test_a_control_character_in_the_address_gets_the_400_page(world: World, case: str):
    actor, path, query = CONTROL_CHARACTERS[case]

    response = world.client(actor).get(path, query)

    assert response.status_code == 400
    assert "We could not accept that request" in response.content.decode()


def test_a_tab_or_line_break_in_a_search_is_searched_for(world: World):
    response = world.client(CARE).get("/admin/claims/claim/", {"q": "ana\t\r\n"})

    assert response.status_code == 200


# The admin answers a filter it cannot apply with its "invalid lookup" notice: a redirect to ?e=1.
DRILL_DOWNS: dict[str, tuple[str, dict[str, str]]] = {
    "a 20-digit year": ("admin:claims_order_changelist", {"purchased_on__year": "9" * 20}),
    "a 20-digit month": (
        "admin:claims_order_changelist",
        {"purchased_on__year": "2026", "purchased_on__month": "9" * 20},
    ),
    "the year after 9999": ("admin:claims_order_changelist", {"purchased_on__year": "9999"}),
    "the day after 9999-12-31": (
        "admin:policies_closureday_changelist",
        {"date__year": "9999", "date__month": "12", "date__day": "31"},
    ),
    "a 20-digit year in the lockout records": (
        "admin:axes_accessattempt_changelist",
        {"attempt_time__year": "9" * 20},
    ),
    "a 20-digit year in the login log": ("admin:axes_accesslog_changelist", {"attempt_time__year": "9" * 20}),
}


@pytest.mark.parametrize("case", DRILL_DOWNS, ids=list(DRILL_DOWNS))
def test_a_date_drill_down_beyond_the_calendar_gets_the_invalid_filter_notice(world: World, case: str):
    url_name, query = DRILL_DOWNS[case]

    response = superuser(world).get(reverse(url_name), query)

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


@pytest.mark.parametrize("selected", ["abc", "", "1.5", "²", "1; DROP TABLE claims_claim"])
def test_an_action_on_a_malformed_selection_does_nothing_and_says_so(world: World, selected: str):
    claim = world.claim(Status.SUBMITTED)
    url = reverse("admin:claims_claim_changelist")

    response = world.client(CARE).post(
        url, {"action": "approve_selected", "_selected_action": [str(claim.pk), selected], "index": "0"}
    )

    assert response.status_code == 302
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert shown == ["The selection was not understood; select the rows again."]
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


def test_a_malformed_selection_on_a_third_party_admin_does_nothing(world: World):
    world.access_attempt  # noqa: B018 - a row to act on
    response = superuser(world).post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": ["x"], "index": "0"},
    )

    assert response.status_code == 302
    assert AccessAttempt.objects.count() == 1


def test_an_action_on_a_well_formed_selection_still_runs(world: World):
    claim = world.claim(Status.SUBMITTED)

    world.client(CARE).post(
        reverse("admin:claims_claim_changelist"),
        {"action": "approve_selected", "_selected_action": [str(claim.pk)], "index": "0"},
    )

    claim.refresh_from_db()
    assert claim.status == Status.APPROVED


def test_an_over_long_login_name_is_refused_beside_the_field(world: World):
    login: dict[str, Any] = {"username": "x" * 300 + "@asm.example", "password": "anything-1"}

    response = Client().post(reverse("admin:login"), login)

    assert response.status_code == 200
    assert "Ensure this value has at most 254 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()
    assert not Claim.objects.exists()
    assert not Notification.objects.exists()
