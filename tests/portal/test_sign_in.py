"""Signing in by a one-time link: the same answer for any order, GET spends nothing, limits, no staff."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.models import Notification
from tests.factories import new_customer, new_order, new_staff

pytestmark = pytest.mark.django_db


def request_link(client, *, order_number: str, email: str, **extra):
    return client.post(reverse("portal:sign_in"), {"order_number": order_number, "email": email}, **extra)


def link_path(notification: Notification) -> str:
    link = urlsplit(notification.context["link"])
    return f"{link.path}?{link.query}"


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
    assert notification.context["expires_minutes"] == 30
    assert notification.context["link"].startswith(f"{settings.ASM_SITE_URL}/sign-in/link/?token=")
    assert notification.unique_key.startswith("sign_in_link:")


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
    assert Notification.objects.count() == 1  # the known request's only


def test_two_requests_send_two_links(client, order):
    request_link(client, order_number="ASM100245", email="ana@example.com")
    request_link(client, order_number="ASM100245", email="ana@example.com")
    assert Notification.objects.filter(template_key="sign_in_link").count() == 2


def test_a_staff_account_never_gets_a_link(client):
    staff = new_staff(email="care@asm.example")
    new_order(customer=staff, number="ASM200000")
    request_link(client, order_number="ASM200000", email="care@asm.example")
    assert not Notification.objects.exists()


def test_opening_the_link_shows_a_button_and_spends_nothing(client, order):
    request_link(client, order_number="ASM100245", email="ana@example.com")
    path = link_path(Notification.objects.get())
    for _ in range(3):  # a mail scanner, a preview, the customer
        page = client.get(path)
        assert page.status_code == 200
        assert b'name="token"' in page.content
    assert "_auth_user_id" not in client.session
    order.customer.refresh_from_db()
    assert order.customer.last_login is None


def test_the_button_signs_in_once(client, order):
    request_link(client, order_number="ASM100245", email="ana@example.com")
    token = urlsplit(Notification.objects.get().context["link"]).query.split("=", 1)[1]
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


def test_an_expired_link_explains_itself(client, order):
    request_link(client, order_number="ASM100245", email="ana@example.com")
    path = link_path(Notification.objects.get())
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
    assert Notification.objects.count() == 2  # no email when limited
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
