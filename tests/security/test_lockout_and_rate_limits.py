"""Staff login lockout (django-axes) and the portal's rate limits: 429 with Retry-After, and no email.

The limits are settings; each test lowers them so a few requests reach them.
"""

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from sesame.utils import get_token

from claims.lifecycle import Status
from claims.models import Claim, ClaimPhoto, Notification
from policies.reasons import ReturnReason
from tests.factories import STAFF_PASSWORD
from tests.portal.images import upload
from tests.security.world import CARE, World, media_files, snapshot

pytestmark = pytest.mark.django_db


def _login(client: Client, email: str, password: str, **extra: Any) -> Any:
    return client.post(reverse("admin:login"), {"username": email, "password": password}, **extra)


@pytest.fixture
def lockout(settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3


# --- Staff login lockout -----------------------------------------------------------------


def test_staff_are_locked_out_after_repeated_failures_with_a_clear_page(world: World, lockout):
    care = world.staff(CARE)
    client = Client()
    for _attempt in range(2):
        assert _login(client, care.email, "wrong-password").status_code == 200  # the form, with its error

    locked = _login(client, care.email, "wrong-password")

    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "admin/lockout.html" in [template.name for template in locked.templates]
    # Even the right password is refused now, and nobody is signed in.
    assert _login(client, care.email, STAFF_PASSWORD).status_code == 429
    assert SESSION_KEY not in client.session


def test_the_lockout_counts_an_email_however_it_is_typed(world: World, lockout):
    care = world.staff(CARE)
    client = Client()
    for typed in (care.email.upper(), f"  {care.email}", care.email.title()):
        _login(client, typed, "wrong-password")
    assert _login(client, care.email, STAFF_PASSWORD).status_code == 429
    assert AccessAttempt.objects.filter(username=care.email).exists()


def test_the_lockout_is_per_email_and_address(world: World, lockout):
    care = world.staff(CARE)
    for _attempt in range(3):
        _login(Client(), care.email, "wrong-password", REMOTE_ADDR="10.0.0.66")

    from_elsewhere = _login(Client(), care.email, STAFF_PASSWORD, REMOTE_ADDR="10.0.0.7")
    other_staff = world.staff("Care managers")
    colleague = _login(Client(), other_staff.email, STAFF_PASSWORD, REMOTE_ADDR="10.0.0.66")

    assert from_elsewhere.status_code == 302
    assert colleague.status_code == 302


def test_a_successful_login_before_the_limit_clears_the_count(world: World, lockout):
    care = world.staff(CARE)
    client = Client()
    _login(client, care.email, "wrong-password")
    _login(client, care.email, "wrong-password")
    assert _login(client, care.email, STAFF_PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=care.email).exists()


def test_customers_sign_in_links_are_never_counted_or_locked(world: World, lockout, settings):
    settings.ASM_SIGNIN_RATE_PER_IP = 1000
    customer = world.owner
    client = Client()
    for _attempt in range(5):
        response = client.post(reverse("portal:sign_in_link"), {"token": "not-a-real-token"})
        assert response.status_code == 400  # the "this link does not work" page, not a lockout

    signed_in = client.post(reverse("portal:sign_in_link"), {"token": get_token(customer)})

    assert signed_in.status_code == 302
    assert client.session[SESSION_KEY] == str(customer.pk)
    assert not AccessAttempt.objects.exists()


# --- Rate limits: sign-in links, claim filing, uploads ----------------------------------------


def _sign_in_data(world: World) -> dict[str, str]:
    order = world.submitted.order_line.order
    return {"order_number": order.number, "email": world.owner.email}


def test_sign_in_links_are_limited_per_email_with_no_email_sent(world: World, settings):
    settings.ASM_SIGNIN_RATE_PER_EMAIL = 2
    client = Client()
    data = _sign_in_data(world)
    for _attempt in range(2):
        assert client.post(reverse("portal:sign_in"), data).status_code == 302
    emails_before = Notification.objects.count()

    limited = client.post(reverse("portal:sign_in"), data)

    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= settings.ASM_SIGNIN_RATE_WINDOW_MINUTES * 60
    assert Notification.objects.count() == emails_before


def test_sign_in_links_are_limited_per_address(world: World, settings):
    settings.ASM_SIGNIN_RATE_PER_IP = 2
    data = _sign_in_data(world)
    client = Client()
    for number in range(2):
        stranger = {"order_number": f"X{number}", "email": f"a{number}@example.com"}
        client.post(reverse("portal:sign_in"), stranger)
    emails_before = Notification.objects.count()

    limited = client.post(reverse("portal:sign_in"), data)

    assert limited.status_code == 429
    assert limited.has_header("Retry-After")
    assert Notification.objects.count() == emails_before


def _return_data() -> dict[str, str]:
    return {
        "return_reason": ReturnReason.CHANGED_MIND,
        "quantity": "1",
        "intact_unused_packaged": "on",
        "no_user_damage": "on",
        "all_accessories_included": "on",
        "description": "I changed my mind.",
    }


def test_claim_filing_is_limited_per_customer_with_nothing_filed(world: World, settings):
    settings.ASM_CLAIM_RATE_PER_CUSTOMER = 2
    client = world.client("owner")
    for _claim in range(2):
        filed = client.post(reverse("portal:file_return", args=[world.line().pk]), _return_data())
        assert filed.status_code == 302
    before = snapshot()

    limited = client.post(reverse("portal:file_return", args=[world.line().pk]), _return_data())

    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "Please slow down" in limited.content.decode()
    assert snapshot() == before
    assert Claim.objects.filter(order_line__order__customer=world.owner).count() == 2


def test_uploads_are_limited_per_customer_with_nothing_stored(world: World, settings):
    settings.ASM_UPLOAD_RATE_PER_CUSTOMER = 3
    client = world.client("owner")
    url = reverse("portal:file_warranty", args=[world.line().pk])
    accepted = client.post(url, {"action": "upload", "new_photos": [upload(), upload(), upload()]})
    assert accepted.status_code == 200
    assert ClaimPhoto.objects.count() == 3
    stored_files = media_files()

    limited = client.post(url, {"action": "upload", "new_photos": [upload()]})

    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert ClaimPhoto.objects.count() == 3
    assert media_files() == stored_files


def test_answer_uploads_share_the_same_limit(world: World, settings):
    settings.ASM_UPLOAD_RATE_PER_CUSTOMER = 1
    claim = world.claim(Status.INFO_REQUESTED)
    client = world.client("owner")
    url = reverse("portal:answer", args=[claim.rma_number])
    before = snapshot()

    limited = client.post(url, {"answer": "Photos attached.", "new_photos": [upload(), upload()]})

    assert limited.status_code == 429
    assert limited.has_header("Retry-After")
    assert snapshot() == before
