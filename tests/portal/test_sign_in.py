"""Signing in by a one-time link: the same answer for any order, GET spends nothing, limits, no staff.

The request records what was typed; the worker looks the order up and mints
the link when it renders the email (``deliver`` here does the worker's part).
"""

import io
import re
from datetime import timedelta
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.models import Notification
from claims.outbox import deliver_notification
from claims.portal.sign_in import customer_for_token, spend_sign_in_token
from tests.factories import new_customer, new_order, new_staff
from tests.portal.conftest import sign_in_link

pytestmark = pytest.mark.django_db


def request_link(client, *, order_number: str, email: str, **extra):
    return client.post(reverse("portal:sign_in"), {"order_number": order_number, "email": email}, **extra)


def deliver() -> list[EmailMessage]:
    """The worker's part: every pending row delivered; the emails sent so far."""
    for pending in Notification.objects.filter(state=Notification.State.PENDING):
        deliver_notification(notification_id=pending.pk)
    return list(mail.outbox)


def emailed_link() -> str:
    (email,) = deliver()
    return sign_in_link(email)


def link_path(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def statement_shape(sql: str) -> str:
    """What a statement does and to which table, without its values or savepoint names."""
    verb = re.match(r"[A-Z ]+", sql)
    table = re.search(r'"(\w+)"', sql)
    kind = verb.group(0).strip() if verb else sql
    return kind if "SAVEPOINT" in kind or table is None else f"{kind} {table.group(1)}"


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


@pytest.fixture
def order(customer):
    return new_order(customer=customer, number="ASM100245")


def test_sign_in_page_renders(client):
    response = client.get(reverse("portal:sign_in"))
    assert response.status_code == 200
    assert b"order_number" in response.content


def test_home_sends_strangers_to_sign_in(client):
    assert client.get("/").url == reverse("portal:sign_in")


def test_a_known_order_and_email_get_a_link(client, order, settings):
    response = request_link(client, order_number="asm100245 ", email="  ANA@Example.com ")
    assert response.status_code == 302
    assert response.url == reverse("portal:sign_in_sent")
    notification = Notification.objects.get(template_key="sign_in_link")
    assert notification.recipient == "ana@example.com"
    assert notification.claim is None
    assert notification.unique_key.startswith("sign_in_link:")
    (email,) = deliver()
    assert email.to == ["ana@example.com"]
    assert "30 minutes" in email.body
    assert sign_in_link(email).startswith(f"{settings.ASM_SITE_URL}/sign-in/link/?token=")


@pytest.mark.parametrize(
    ("order_number", "email"),
    [("ASM999999", "ana@example.com"), ("ASM100245", "mallory@example.com")],
    ids=["unknown order", "wrong email"],
)
def test_unknown_order_or_email_get_the_same_answer_and_no_email(client, order, order_number, email):
    known = request_link(Client(), order_number="ASM100245", email="ana@example.com")
    unknown = request_link(client, order_number=order_number, email=email)
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert client.get(unknown.url).status_code == 200
    assert [email.to for email in deliver()] == [["ana@example.com"]]  # the known request's only
    unmatched = Notification.objects.get(recipient=email, context__order_number=order_number)
    assert unmatched.state == Notification.State.SKIPPED
    assert unmatched.sent_at is None


def test_the_request_does_the_same_work_whether_or_not_the_order_matches(client, order):
    """No order look-up in the request: the worker does it, so the answer's timing tells nothing."""
    with CaptureQueriesContext(connection) as matching:
        request_link(Client(), order_number="ASM100245", email="ana@example.com")
    with CaptureQueriesContext(connection) as unknown:
        request_link(Client(), order_number="ASM999999", email="mallory@example.com")
    statements = [[statement_shape(query["sql"]) for query in run] for run in (matching, unknown)]
    assert statements[0] == statements[1]
    queried = " ".join(query["sql"] for query in [*matching, *unknown])
    assert "claims_order" not in queried
    assert "claims_user" not in queried
    assert Notification.objects.filter(state=Notification.State.PENDING).count() == 2


def test_two_requests_send_two_links(client, order):
    request_link(client, order_number="ASM100245", email="ana@example.com")
    request_link(client, order_number="ASM100245", email="ana@example.com")
    assert [email.to for email in deliver()] == [["ana@example.com"]] * 2


def test_a_staff_account_never_gets_a_link(client):
    staff = new_staff(email="care@asm.example")
    new_order(customer=staff, number="ASM200000")
    request_link(client, order_number="ASM200000", email="care@asm.example")
    assert deliver() == []
    assert Notification.objects.get().state == Notification.State.SKIPPED


def test_no_token_is_in_any_row_or_on_the_admin_emails_page(client, order):
    """Staff cannot sign in as a customer: the link exists only in the email that was sent."""
    request_link(client, order_number="ASM100245", email="ana@example.com")
    token = token_of(emailed_link())
    notification = Notification.objects.get()
    assert notification.state == Notification.State.SENT
    assert notification.context == {"order_number": "ASM100245", "language": "en"}  # the page's language
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert notification.recipient in dump.getvalue()  # the dump has the row …
    assert token not in dump.getvalue()  # … and no token anywhere
    manager = Client()
    manager.force_login(new_staff(role="Care managers"))
    listed = manager.get(reverse("admin:claims_notification_changelist")).content.decode()
    shown = manager.get(reverse("admin:claims_notification_change", args=[notification.pk])).content.decode()
    assert "ana@example.com" in listed
    assert "ASM100245" in shown  # what was asked for, no more
    assert token not in listed
    assert token not in shown


def test_the_link_is_minted_when_the_email_goes_out(client, order):
    """An email delayed past the link's lifetime (broker down, mail server refusing) still brings a
    working link: it is made at delivery, and a resend makes a fresh one."""
    request_link(client, order_number="ASM100245", email="ana@example.com")
    with time_machine.travel(timezone.now() + timedelta(minutes=45)):
        path = link_path(emailed_link())
        response = client.post(reverse("portal:sign_in_link"), {"token": token_of(path)})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == order.customer.pk


def test_opening_the_link_shows_a_button_and_spends_nothing(client, order):
    request_link(client, order_number="ASM100245", email="ana@example.com")
    path = link_path(emailed_link())
    for _ in range(3):  # a mail scanner, a preview, the customer
        page = client.get(path)
        assert page.status_code == 200
        assert b'name="token"' in page.content
    assert "_auth_user_id" not in client.session
    order.customer.refresh_from_db()
    assert order.customer.last_login is None


def test_the_link_page_lets_no_referer_carry_the_token(client, order):
    """The token is in the page's URL: a request that follows carries the site's origin alone."""
    request_link(client, order_number="ASM100245", email="ana@example.com")
    path = link_path(emailed_link())
    assert client.get(path)["Referrer-Policy"] == "strict-origin"
    invalid = client.get(reverse("portal:sign_in_link"), {"token": "not-a-token"})
    assert invalid["Referrer-Policy"] == "strict-origin"
    assert client.get(reverse("portal:sign_in"))["Referrer-Policy"] == "same-origin"


def test_the_button_signs_in_once(client, order):
    request_link(client, order_number="ASM100245", email="ana@example.com")
    token = token_of(emailed_link())
    response = client.post(reverse("portal:sign_in_link"), {"token": token})
    assert response.status_code == 302
    assert response.url == reverse("portal:orders")
    assert int(client.session["_auth_user_id"]) == order.customer.pk

    client.logout()
    reused = client.post(reverse("portal:sign_in_link"), {"token": token})
    assert reused.status_code == 400
    assert b"no longer works" in reused.content
    assert b"Email me a new link" in reused.content
    assert "_auth_user_id" not in client.session


def test_two_requests_that_both_found_the_token_valid_sign_in_once(client, order):
    """The race of two parallel posts, step by step: both check the token, then both spend it.

    (tests/security/test_token_spend.py runs the real race against live servers.)
    """
    request_link(client, order_number="ASM100245", email="ana@example.com")
    token = token_of(emailed_link())
    request = client.get("/").wsgi_request
    checked = [customer_for_token(request, token) for _ in range(2)]
    assert None not in checked
    spent = []
    for customer in checked:
        with mock.patch("claims.portal.sign_in.customer_for_token", return_value=customer):
            spent.append(spend_sign_in_token(request, token))
    assert spent == [order.customer, None]


def test_an_expired_link_explains_itself(client, order):
    request_link(client, order_number="ASM100245", email="ana@example.com")
    path = link_path(emailed_link())
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        page = client.get(path)
    assert page.status_code == 400
    assert b"no longer works" in page.content


@pytest.mark.parametrize("token", ["", "garbage", "A" * 40])
def test_a_bad_token_explains_itself(client, token):
    page = client.get(reverse("portal:sign_in_link"), {"token": token})
    assert page.status_code == 400
    assert b"no longer works" in page.content


def test_a_link_made_for_staff_signs_nobody_in(client):
    from sesame.utils import get_token

    staff = new_staff()
    response = client.post(reverse("portal:sign_in_link"), {"token": get_token(staff)})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_sign_out(signed_in):
    response = signed_in.post(reverse("portal:sign_out"))
    assert response.status_code == 302
    assert "_auth_user_id" not in signed_in.session


def test_requests_per_email_are_limited(client, order, settings):
    settings.ASM_SIGNIN_RATE_PER_EMAIL = 2
    settings.ASM_SIGNIN_RATE_WINDOW_MINUTES = 15
    for _ in range(2):
        assert request_link(client, order_number="ASM100245", email="ana@example.com").status_code == 302
    limited = request_link(client, order_number="ASM100245", email="Ana@example.com")
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 15 * 60
    assert b"try again in" in limited.content
    assert Notification.objects.count() == 2  # nothing recorded when limited
    assert len(deliver()) == 2
    # Another email from the same address is not limited by this one's count.
    new_customer(email="bo@example.com")
    assert request_link(client, order_number="X", email="bo@example.com").status_code == 302


def test_requests_per_ip_are_limited(client, settings):
    settings.ASM_SIGNIN_RATE_PER_IP = 3
    for number in range(3):
        assert request_link(client, order_number="X", email=f"p{number}@example.com").status_code == 302
    limited = request_link(client, order_number="X", email="p9@example.com")
    assert limited.status_code == 429
    assert limited.has_header("Retry-After")
    # Another address is counted apart.
    other = request_link(client, order_number="X", email="p9@example.com", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_the_limit_ends_with_its_window(client, order, settings):
    settings.ASM_SIGNIN_RATE_PER_EMAIL = 1
    request_link(client, order_number="ASM100245", email="ana@example.com")
    assert request_link(client, order_number="ASM100245", email="ana@example.com").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert request_link(client, order_number="ASM100245", email="ana@example.com").status_code == 302


def test_invalid_input_is_explained_next_to_the_field(client):
    response = request_link(client, order_number="", email="not-an-email")
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"order_number", "email"}
    assert b"error-summary" in response.content
    assert b"autofocus" in response.content
