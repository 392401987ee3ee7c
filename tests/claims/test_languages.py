"""Emails are written in their reader's language, chosen when they are rendered for delivery.

A customer's email: the language stored on them (``User.language``), else the
default. A sign-in link: the language of the page it was asked for from. Staff
alerts: the default. Dates and amounts in the language's one format.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from claims.deadlines import sweep_deadlines
from claims.emails import render_email
from claims.importing import ImportSummary, Tally
from claims.models import Claim, Notification, User
from tests.claims.test_emails import (  # noqa: F401 - the autouse fixture keeps tasks in this process
    CUSTOMER_KEYS,
    SWEPT_AT,
    _in_process_broker,
    walk_every_email,
)
from tests.factories import new_customer, new_order
from tests.languages import stray_english, visible_text, write_terms_in_vietnamese

pytestmark = pytest.mark.django_db


@pytest.fixture
def vietnamese_terms() -> None:
    write_terms_in_vietnamese()


def every_email_of(customer: User) -> dict[str, Claim]:
    claims = walk_every_email(customer, "Lan")
    sweep_deadlines(now=SWEPT_AT)
    return claims


def rendered(claim: Claim, key: str) -> tuple[str, str, str]:
    email = render_email(Notification.objects.get(claim=claim, template_key=key))
    return email.subject, email.text, visible_text(email.html)


# What the test's staff and customer typed themselves, in English, is theirs to keep.
TYPED = [
    "Lan: could you photograph the <box>?",
    "Lan: which scale is it?",
    "Lan: dented corner.",
    "Lan: no answer came.",
]


def without_typed_text(text: str) -> str:
    for typed in TYPED:
        text = text.replace(typed, "")
    return text


@pytest.mark.parametrize("key", CUSTOMER_KEYS)
def test_a_vietnamese_customer_gets_every_email_in_vietnamese(settings, vietnamese_terms, key):
    settings.LANGUAGE_CODE = "en"
    customer = new_customer(email="lan@example.com", full_name="Nguyễn Thị Lan", language="vi")
    subject, text, html = rendered(every_email_of(customer)[key], key)

    assert text.startswith("Kính chào quý khách Nguyễn Thị Lan,")
    for part in (subject, text, html):
        assert stray_english(without_typed_text(part)) == [], part


@pytest.mark.parametrize("key", CUSTOMER_KEYS)
def test_an_english_customer_gets_every_email_in_english(settings, key):
    settings.LANGUAGE_CODE = "vi"
    customer = new_customer(email="anna@example.com", full_name="Anna Tran", language="en")
    subject, text, html = rendered(every_email_of(customer)[key], key)

    assert text.startswith("Hello Anna Tran,")
    assert "quý khách" not in subject + text + html


@pytest.mark.parametrize(
    ("language", "shipped_on", "refunded"),
    [("vi", "Thứ Hai, 02/03/2026", "1.250.000 ₫"), ("en", "Monday, 2 March 2026", "1,250,000 ₫")],
)
def test_dates_and_amounts_are_written_the_language_s_way(language, shipped_on, refunded):
    claims = every_email_of(new_customer(email="lan@example.com", language=language))

    for part in rendered(claims["shipped"], "shipped")[1:]:
        assert shipped_on in part
    for part in rendered(claims["resolved"], "resolved")[1:]:
        assert refunded in part


def test_a_customer_who_chose_no_language_gets_the_default(settings):
    settings.LANGUAGE_CODE = "vi"
    claims = every_email_of(new_customer(email="lan@example.com"))

    assert rendered(claims["submitted"], "submitted")[1].startswith("Kính chào quý khách")


def test_the_language_is_the_one_stored_when_the_email_is_sent_not_when_it_was_recorded():
    customer = new_customer(email="lan@example.com", language="en")
    claims = every_email_of(customer)
    customer.language = "vi"
    customer.save(update_fields=["language"])

    assert rendered(claims["submitted"], "submitted")[1].startswith("Kính chào quý khách")


def test_staff_alerts_are_in_the_default_language_whatever_the_customer_reads(settings):
    settings.LANGUAGE_CODE = "vi"
    claims = every_email_of(new_customer(email="anna@example.com", language="en"))
    subject, text, _html = rendered(claims["target_passed"], "target_passed")

    assert "Sắp đến hạn" in subject
    assert text.startswith("Gửi bộ phận chăm sóc khách hàng,")


@pytest.mark.parametrize(
    ("page_language", "subject"),
    [("vi", "Liên kết đăng nhập ASM Care của quý khách"), ("en", "Your sign-in link for ASM Care")],
)
def test_the_sign_in_email_is_in_the_language_of_the_page_it_was_asked_from(page_language, subject):
    # The customer's stored choice is the other language: the page they are on wins.
    stored = "en" if page_language == "vi" else "vi"
    order = new_order(customer=new_customer(email="lan@example.com", language=stored), number="ASM100777")
    Client(HTTP_ACCEPT_LANGUAGE=page_language).post(
        reverse("portal:sign_in"), {"order_number": order.number, "email": "lan@example.com"}
    )
    notification = Notification.objects.get(template_key="sign_in_link")

    assert notification.context["language"] == page_language
    assert render_email(notification).subject == subject


def test_the_sweep_command_reports_to_staff_in_their_language():
    out = StringIO()
    with translation.override("vi"):
        call_command("sweep_deadlines", stdout=out)

    assert out.getvalue().startswith("cảnh báo đến ngày dự kiến: 0, cảnh báo quá hạn chót: 0")


def test_the_import_summary_speaks_the_staff_s_language():
    summary = ImportSummary(rows=3, customers=Tally(2), products=Tally(2), orders=Tally(1, 1), lines=Tally(3))
    with translation.override("vi"):
        assert str(summary) == (
            "3 dòng: khách hàng: tạo mới 2, cập nhật 0; sản phẩm: tạo mới 2, cập nhật 0; "
            "đơn hàng: tạo mới 1, cập nhật 1; dòng đơn hàng: tạo mới 3, cập nhật 0."
        )
