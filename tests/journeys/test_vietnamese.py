"""A whole return in Vietnamese, on a 360 × 740 phone whose browser asks for Vietnamese: sign in, file
the return, follow it to the refund, every page and email in Vietnamese; then one tap on "English"."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from claims.lifecycle import Outcome
from claims.models import Claim, User
from claims.services import approve_claim, receive_claim, record_inspection, resolve_claim
from tests.factories import ALL_GOOD
from tests.journeys.conftest import CARE_EMAIL, PHONE, WAREHOUSE_EMAIL, Journey, sign_in_link
from tests.languages import stray_english, visible_text, write_terms_in_vietnamese

pytestmark = [pytest.mark.browser, pytest.mark.services]

EMAIL = "lan.nguyen@example.com"
PRODUCT = "Mô hình diorama Ngọn hải đăng"


def assert_vietnamese(journey: Journey, phone, step: str) -> None:
    expect(phone.locator("html")).to_have_attribute("lang", "vi")
    text = visible_text(phone.content())
    assert stray_english(phone.content()) == [], (step, text)
    journey.shot(phone, step)


def test_a_vietnamese_customer_returns_an_item_and_is_refunded_in_vietnamese(journey, bought, settings):
    settings.LANGUAGE_CODE = "vi"
    write_terms_in_vietnamese()
    bought(PRODUCT, email=EMAIL, number="ASM200901", purchased_days_ago=6, delivered_days_ago=3)
    phone = journey.new_page(PHONE, locale="vi-VN")

    # Sign in: the link's email is written in the language of the page it was asked from.
    phone.goto("/sign-in/")
    phone.get_by_label("Mã đơn hàng").fill("ASM200901")
    phone.get_by_label("Địa chỉ email đặt hàng").fill(EMAIL)
    assert_vietnamese(journey, phone, "dang-nhap")
    phone.get_by_role("button", name="Gửi liên kết đăng nhập qua email").click()
    expect(phone.get_by_role("heading", name="Vui lòng kiểm tra email")).to_be_visible()
    link_email = journey.mailbox.wait_for(to=EMAIL, subject="Liên kết đăng nhập ASM Care")
    assert "Kính chào quý khách" in link_email.body
    phone.goto(sign_in_link(link_email))
    phone.get_by_role("button", name="Đăng nhập").click()
    expect(phone.get_by_role("heading", name="Đơn hàng của tôi")).to_be_visible()
    expect(phone.locator(".order-line", has_text=PRODUCT)).to_contain_text("Còn 4 ngày")
    assert_vietnamese(journey, phone, "don-hang-cua-toi")

    # File the return.
    phone.locator(".order-line", has_text=PRODUCT).get_by_role("link", name="Trả sản phẩm này").click()
    expect(phone.get_by_role("heading", name=f"Trả hàng: {PRODUCT}")).to_be_visible()
    phone.get_by_label("Đổi ý", exact=True).check()
    for statement in (
        "Sản phẩm còn nguyên vẹn, chưa sử dụng và còn bao bì gốc (R2).",
        "Sản phẩm không bị hư hỏng do sử dụng hay tai nạn (R3).",
        "Có đủ phụ kiện, giấy tờ và quà tặng kèm theo (R4).",
    ):
        phone.get_by_label(statement).check()
    phone.get_by_role("textbox", name="Mô tả").fill("Màu sắc tối hơn so với ảnh trên trang web.")
    assert_vietnamese(journey, phone, "gui-yeu-cau-tra-hang")
    phone.get_by_role("button", name="Gửi yêu cầu trả hàng", exact=True).last.click()
    expect(phone.locator(".claim-status")).to_have_text("Đã gửi yêu cầu")
    assert_vietnamese(journey, phone, "yeu-cau-da-gui")
    claim = Claim.objects.get(order_line__order__number="ASM200901")
    rma = claim.rma_number
    customer = claim.order_line.order.customer
    assert customer.language == "vi"  # the language they signed in with, for the emails to come
    filed = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Chúng tôi đã nhận được yêu cầu trả hàng")
    assert stray_english(filed.body) == []

    # Care approves; the customer sends the parcel and says so.
    approve_claim(claim=claim, actor=User.objects.get(email=CARE_EMAIL))
    approved = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Đã duyệt: cách gửi sản phẩm")
    assert "Quý khách vui lòng in phiếu RMA đính kèm email này" in approved.body
    assert f"Vui lòng ghi rõ mã RMA {rma} lên kiện hàng." in approved.body
    phone.goto(f"/claims/{rma}/")
    expect(phone.locator(".claim-status")).to_have_text("Đã duyệt: chờ gửi hàng")
    phone.get_by_label("Đơn vị vận chuyển (không bắt buộc)").fill("VNPost")
    phone.get_by_label("Mã vận đơn (không bắt buộc)").fill("VN123456789")
    phone.get_by_role("button", name="Đã gửi").click()
    expect(phone.get_by_text("kiện hàng đã được ghi nhận là đã gửi")).to_be_visible()
    assert_vietnamese(journey, phone, "da-gui-hang")

    # The warehouse receives and inspects; care refunds.
    warehouse = User.objects.get(email=WAREHOUSE_EMAIL)
    receive_claim(claim=claim, actor=warehouse)
    record_inspection(claim=claim, actor=warehouse, findings=ALL_GOOD)
    resolve_claim(
        claim=claim,
        actor=User.objects.get(email=CARE_EMAIL),
        outcome=Outcome.REFUND,
        refund_amount=Decimal("1250000.00"),
        payment_reference="PAY-VI-0001",
    )
    resolved = journey.mailbox.wait_for(to=EMAIL, subject=f"[{rma}] Yêu cầu của quý khách đã hoàn tất")
    assert "Chúng tôi đã hoàn tiền 1.250.000 ₫ (mã giao dịch PAY-VI-0001)." in resolved.body
    phone.goto(f"/claims/{rma}/")
    expect(phone.locator(".claim-status")).to_have_text("Đã hoàn tất")
    expect(phone.get_by_text("Đã hoàn tiền: 1.250.000 ₫")).to_be_visible()
    today = timezone.localdate()
    weekday = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"][today.weekday()]
    expect(phone.locator(".timeline")).to_contain_text(
        f"Đã gửi kiện hàng về ASM ngày {weekday}, {today:%d/%m/%Y}"
    )
    assert_vietnamese(journey, phone, "da-hoan-tien")

    # One tap on "English": the same page in English, and the choice kept for the emails.
    phone.get_by_role("button", name="English").click()
    expect(phone.locator(".claim-status")).to_have_text("Resolved")
    expect(phone.get_by_text("Refunded: 1,250,000 ₫")).to_be_visible()
    journey.shot(phone, "english")
    customer.refresh_from_db()
    assert customer.language == "en"
