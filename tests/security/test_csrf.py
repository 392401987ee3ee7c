"""Every form's POST needs its CSRF token: without it, 403 and nothing changes; with it, the POST works.

The POSTs are the access matrix's accepted ones (each made by a visitor allowed
to make it) and the forms without an id: signing in and out, the admin login,
a password change, staff filing for a customer, the changelist actions and
adding a closure day.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from sesame.utils import get_token

from claims.models import Notification
from tests.factories import STAFF_PASSWORD
from tests.security.test_access_matrix import CASES, DONE
from tests.security.world import ANONYMOUS, CARE, MANAGER, OWNER, World, snapshot

pytestmark = pytest.mark.django_db

CSRF_SECRET = "s" * 32  # an unmasked secret: Django accepts it as both cookie and form token


@dataclass(frozen=True)
class Post:
    name: str
    actor: str
    target: Callable[[World], tuple[str, dict[str, Any]]]
    # What proves the POST took effect, for the forms that change no claim, term or email.
    took_effect: Callable[[Client, World], bool] | None = None
    accepted_status: int = 302


def _signed_in(client: Client, world: World) -> bool:
    return SESSION_KEY in client.session


def _signed_out(client: Client, world: World) -> bool:
    return SESSION_KEY not in client.session


def _sign_in(world: World) -> tuple[str, dict[str, Any]]:
    order = world.submitted.order_line.order
    return reverse("portal:sign_in"), {"order_number": order.number, "email": world.owner.email}


def _sign_in_link(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("portal:sign_in_link"), {"token": get_token(world.owner)}


def _admin_login(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("admin:login"), {"username": world.staff(CARE).email, "password": STAFF_PASSWORD}


def _password_change(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("admin:password_change"), {
        "old_password": STAFF_PASSWORD,
        "new_password1": "a-new-staff-passphrase-9",
        "new_password2": "a-new-staff-passphrase-9",
    }


def _file_for_customer(world: World) -> tuple[str, dict[str, Any]]:
    line = world.line()
    return f"{reverse('admin:claims_claim_add')}?order={line.order.number}", {
        "order_line": str(line.pk),
        "kind": "return",
        "quantity": "1",
        "return_reason": "changed_mind",
        "description": "Phoned: changed their mind.",
        "intact_unused_packaged": "on",
        "no_user_damage": "on",
        "all_accessories_included": "on",
    }


def _approve_selected(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("admin:claims_claim_changelist"), {
        "action": "approve_selected",
        "_selected_action": [str(world.submitted.pk)],
        "index": "0",
    }


def _retry_emails(world: World) -> tuple[str, dict[str, Any]]:
    world.submitted  # noqa: B018  filing writes an email's row
    Notification.objects.update(state=Notification.State.FAILED)
    return reverse("admin:claims_notification_changelist"), {
        "action": "retry",
        "_selected_action": [str(pk) for pk in Notification.objects.values_list("pk", flat=True)],
        "index": "0",
    }


def _add_closure(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("admin:policies_closureday_add"), {"date": "2031-05-02", "description": "Stocktaking"}


FORMS_WITHOUT_IDS = [
    Post("portal:sign_in", ANONYMOUS, _sign_in, took_effect=lambda client, world: True),
    Post("portal:sign_in_link", ANONYMOUS, _sign_in_link, took_effect=_signed_in),
    Post("portal:sign_out", OWNER, lambda world: (reverse("portal:sign_out"), {}), took_effect=_signed_out),
    Post("admin:login", ANONYMOUS, _admin_login, took_effect=_signed_in),
    Post(
        "admin:logout",
        CARE,
        lambda world: (reverse("admin:logout"), {}),
        took_effect=_signed_out,
        accepted_status=200,  # the "logged out" page
    ),
    Post("admin:password_change", CARE, _password_change),
    Post("admin:claims_claim_add", CARE, _file_for_customer),
    Post("admin:claims_claim_changelist approve_selected", CARE, _approve_selected),
    Post("admin:claims_notification_changelist retry", MANAGER, _retry_emails),
    Post("admin:policies_closureday_add", MANAGER, _add_closure),
]
FROM_THE_MATRIX = [
    Post(case.name, actor, case.target)
    for case in CASES
    if case.method == "post"
    for actor, answer in case.answers.items()
    if answer == DONE
]
POSTS = FORMS_WITHOUT_IDS + FROM_THE_MATRIX


def _today(data: dict[str, Any]) -> dict[str, Any]:
    today = timezone.localdate().isoformat()
    return {key: today if value == "__today__" else value for key, value in data.items()}


@pytest.mark.parametrize("form", POSTS, ids=[f"{post.name} by {post.actor}" for post in POSTS])
def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(world: World, form: Post):
    client = world.client(form.actor, enforce_csrf_checks=True)
    url, data = form.target(world)
    data = _today(data)
    session_before = dict(client.session)
    before = snapshot()

    refused = client.post(url, data)

    assert refused.status_code == 403
    assert "403_csrf.html" in [template.name for template in refused.templates]
    assert snapshot() == before
    assert dict(client.session).get(SESSION_KEY) == session_before.get(SESSION_KEY)

    client.cookies["csrftoken"] = CSRF_SECRET
    accepted = client.post(url, {**data, "csrfmiddlewaretoken": CSRF_SECRET})

    assert accepted.status_code == form.accepted_status, accepted.content[:400]
    if form.took_effect is not None:
        assert form.took_effect(client, world)
    else:
        assert snapshot() != before


def test_every_post_the_matrix_allows_is_checked_here():
    allowed_posts = {case.name for case in CASES if case.method == "post" and DONE in case.answers.values()}
    assert allowed_posts
    assert allowed_posts <= {post.name for post in POSTS}
