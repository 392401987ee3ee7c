"""The portal in Vietnamese and in English: the browser's language, the switcher, and no stray English.

Pages are asked for as a new visitor's browser asks (``Accept-Language``); the
suite's default language is English (tests/pytest_environment.py), the product's
Vietnamese, which ``vietnamese_default`` restores.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Claim, User
from tests.factories import new_customer, new_staff
from tests.languages import stray_english, vietnamese_claim, visible_text


@pytest.fixture
def vietnamese_default(settings) -> None:
    settings.LANGUAGE_CODE = "vi"


@pytest.fixture
def vietnamese_data(db) -> Claim:
    return vietnamese_claim()


def customer_client(claim: Claim, *, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(claim.order_line.order.customer)
    return client


def customer_pages(claim: Claim) -> list[str]:
    unclaimed = claim.order_line.order.lines.exclude(pk=claim.order_line.pk).get()
    return [
        reverse("portal:orders"),
        reverse("portal:claim_detail", args=[claim.rma_number]),
        reverse("portal:policy"),
        reverse("portal:file_return", args=[unclaimed.pk]),
        reverse("portal:file_warranty", args=[unclaimed.pk]),
    ]


def test_a_visitor_whose_browser_asks_for_nothing_it_offers_reads_vietnamese(db, vietnamese_default):
    response = Client(HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").get(reverse("portal:sign_in"))

    assert response["Content-Language"] == "vi"
    assert '<html lang="vi">' in response.content.decode()
    assert "Đăng nhập" in response.content.decode()


@pytest.mark.parametrize("url_name", ["portal:sign_in", "portal:policy", "portal:sign_in_sent"])
def test_public_pages_follow_the_browser(db, vietnamese_data, url_name):
    english = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").get(reverse(url_name)).content.decode()
    vietnamese = Client(HTTP_ACCEPT_LANGUAGE="vi-VN,vi;q=0.9").get(reverse(url_name)).content.decode()

    assert '<html lang="en">' in english
    assert "Sign in" in english
    assert '<html lang="vi">' in vietnamese
    assert "Đăng nhập" in vietnamese
    assert stray_english(vietnamese) == []


def test_every_page_of_a_customer_is_vietnamese_with_nothing_left_in_english(vietnamese_data):
    client = customer_client(vietnamese_data, language="vi")
    for url in customer_pages(vietnamese_data):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert '<html lang="vi">' in page, url
        assert stray_english(page) == [], url


def test_the_same_pages_in_english(vietnamese_data):
    client = customer_client(vietnamese_data, language="en")
    for url in customer_pages(vietnamese_data):
        page = client.get(url).content.decode()
        assert '<html lang="en">' in page, url
        assert re.search(r"\b(Return|Warranty|claim|My orders)\b", page), url


def test_the_claim_page_writes_dates_and_the_refund_the_language_s_way(vietnamese_data):
    claim = vietnamese_data
    url = reverse("portal:claim_detail", args=[claim.rma_number])
    vietnamese = visible_text(customer_client(claim, language="vi").get(url).content.decode())
    english = visible_text(customer_client(claim, language="en").get(url).content.decode())
    weekday_vi = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
    filed = claim.submitted_at.astimezone()

    assert "Đã hoàn tiền: 1.250.000 ₫" in vietnamese
    assert "Refunded: 1,250,000 ₫" in english
    assert f"{weekday_vi[filed.weekday()]}, {filed:%d/%m/%Y}" in vietnamese
    assert f"{filed:%A}, {filed.day} {filed:%B %Y}" in english


@pytest.mark.parametrize("status_page", ["404", "400"])
def test_error_pages_are_translated(vietnamese_data, vietnamese_default, status_page):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi", raise_request_exception=False)
    if status_page == "404":
        response = client.get("/no-such-page/")
    else:
        response = client.get(reverse("portal:sign_in_link"), {"token": "not-a-token"})

    assert response.status_code == int(status_page)
    assert stray_english(response.content.decode()) == []


# --- The switcher ------------------------------------------------------------------


def switch(client: Client, language: str, next_url: str) -> str:
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302
    return response["Location"]


def test_the_switcher_is_a_plain_form_on_every_page(vietnamese_data):
    client = customer_client(vietnamese_data, language="vi")
    for url in [*customer_pages(vietnamese_data), reverse("portal:sign_in")]:
        page = client.get(url).content.decode()
        form = re.search(r'<form method="post" action="/i18n/setlang/".*?</form>', page, re.S)
        assert form, url
        assert f'name="next" value="{url}"' in form.group(0)
        assert 'name="language" value="en"' in form.group(0)
        assert 'type="submit"' in form.group(0)


def test_a_visitor_switches_to_english_and_back(db, vietnamese_default):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    policy = reverse("portal:policy")

    assert switch(client, "en", policy) == policy
    assert '<html lang="en">' in client.get(policy).content.decode()
    switch(client, "vi", policy)
    assert '<html lang="vi">' in client.get(policy).content.decode()


def test_a_customer_s_choice_is_stored_on_them_and_follows_them_to_another_device(vietnamese_data):
    customer = vietnamese_data.order_line.order.customer
    switch(customer_client(vietnamese_data, language="vi"), "en", reverse("portal:orders"))
    customer.refresh_from_db()
    assert customer.language == "en"

    from sesame.utils import get_token

    other_device = Client(HTTP_ACCEPT_LANGUAGE="vi")
    other_device.post(reverse("portal:sign_in_link"), {"token": get_token(customer)})
    assert '<html lang="en">' in other_device.get(reverse("portal:orders")).content.decode()


def test_a_language_not_offered_changes_nothing(vietnamese_data):
    customer = vietnamese_data.order_line.order.customer
    client = customer_client(vietnamese_data, language="vi")
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    customer.refresh_from_db()

    assert customer.language == ""
    assert '<html lang="vi">' in client.get(reverse("portal:orders")).content.decode()


def test_the_switcher_never_carries_a_sign_in_link_s_token(db, vietnamese_default):
    page = Client().get(reverse("portal:sign_in_link"), {"token": "secret-token-value"}).content.decode()

    switcher = re.search(r'action="/i18n/setlang/".*?</form>', page, re.S)

    assert switcher is not None
    assert "secret-token-value" not in switcher.group(0)


def test_the_first_sign_in_keeps_the_language_of_the_page(db, vietnamese_default):
    from sesame.utils import get_token

    customer = new_customer(email="minh@example.com")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("portal:sign_in_link"), {"token": get_token(customer)})
    customer.refresh_from_db()

    assert customer.language == "en"


def test_staff_switch_the_admin_the_same_way(db, vietnamese_default):
    staff: User = new_staff(email="thu@asm.example", is_superuser=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(staff)
    admin_page = reverse("admin:claims_claim_changelist")
    page = client.get(admin_page).content.decode()
    assert '<html lang="vi"' in page
    assert 'action="/i18n/setlang/"' in page

    switch(client, "en", admin_page)
    staff.refresh_from_db()

    assert staff.language == "en"
    assert '<html lang="en"' in client.get(admin_page).content.decode()


def test_the_admin_login_page_has_the_switcher(db, vietnamese_default):
    page = Client(HTTP_ACCEPT_LANGUAGE="vi").get(reverse("admin:login")).content.decode()

    assert 'action="/i18n/setlang/"' in page
    assert "Đăng nhập" in page


@pytest.mark.browser
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_switcher_works_in_a_browser_without_javascript(chromium, live_server, settings):
    settings.LANGUAGE_CODE = "vi"
    context = chromium.new_context(
        java_script_enabled=False,
        locale="vi-VN",
        viewport={"width": 360, "height": 740},
        base_url=live_server.url,
    )
    page = context.new_page()
    page.goto(reverse("portal:policy"))
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", name="Chính sách trả hàng và bảo hành").is_visible()

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()

    assert page.url == f"{live_server.url}{reverse('portal:policy')}"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Return and warranty policy").is_visible()
    context.close()
