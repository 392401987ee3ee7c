"""End to end in real headless Chromium on a 360 × 740 phone screen: sign in by the emailed link,
file a return with a photo, answer care's question, cancel; file a warranty claim."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from claims.lifecycle import ClaimKind, Status
from claims.models import Claim
from claims.services import request_info
from tests.factories import new_line, new_order, new_staff
from tests.portal.conftest import sign_in_link, write_photo

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order(customer):
    today = timezone.localdate()
    order = new_order(
        customer=customer,
        number="ASM100245",
        purchased_on=today - timedelta(days=4),
        delivered_on=today - timedelta(days=2),
    )
    new_line(order=order, product__name="Lighthouse diorama")
    new_line(order=order, product__name="Windmill diorama")
    return order


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def sign_in(phone, screenshot, sent_emails, settings, live_server) -> None:
    settings.ASM_SITE_URL = live_server.url
    phone.goto("/")
    expect(phone.get_by_role("heading", name="Returns and warranty claims")).to_be_visible()
    phone.get_by_label("Order number").fill("ASM100245")
    phone.get_by_label("Email address on the order").fill("Ana@Example.com")
    screenshot(phone, "sign-in")
    phone.get_by_role("button", name="Email me a sign-in link").click()
    expect(phone.get_by_role("heading", name="Check your email")).to_be_visible()
    (email,) = sent_emails()
    assert email.to == ["ana@example.com"]
    phone.goto(sign_in_link(email))
    expect(phone.get_by_role("button", name="Sign in")).to_be_visible()  # opening spends nothing
    screenshot(phone, "link-opened")
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_role("heading", name="My orders")).to_be_visible()
    assert fits_the_screen(phone)
    screenshot(phone, "my-orders")


def test_return_with_a_photo_answer_a_question_and_cancel(
    phone, screenshot, sent_emails, settings, live_server, order, tmp_path
):
    sign_in(phone, screenshot, sent_emails, settings, live_server)

    lighthouse = phone.locator(".order-line", has_text="Lighthouse diorama")
    expect(lighthouse).to_contain_text("5 days left")
    lighthouse.get_by_role("link", name="Return this item").click()
    expect(phone.get_by_role("heading", name="Return Lighthouse diorama")).to_be_visible()

    # The declaration's failure is explained before submitting (R2), and the payer stated (R6).
    phone.get_by_label("Changed my mind").check()
    expect(phone.locator(".reason-summary")).to_contain_text("shipping is paid by Customer")
    intact = phone.get_by_label("The item is intact, unused and in its original packaging (R2).")
    intact.check()
    intact.uncheck()
    expect(phone.locator('[data-hint-for="intact_unused_packaged"]')).to_contain_text(
        "original packaging (R2)"
    )
    phone.get_by_label("Damaged in shipping").check()
    expect(phone.locator(".reason-summary")).to_contain_text("shipping is paid by ASM")
    expect(phone.locator('[data-hint-for="intact_unused_packaged"]')).to_be_hidden()  # waived for damage

    phone.get_by_label("It was not damaged by use or by accident (R3).").check()
    phone.get_by_label("All accessories, documents and gifts are included (R4).").check()
    phone.get_by_label("Description").fill("The box arrived crushed and the tower is bent.")
    phone.get_by_label("Add photos").set_input_files(write_photo(tmp_path, "crushed-box.jpg"))
    assert fits_the_screen(phone)
    screenshot(phone, "return-form")
    phone.get_by_role("button", name="File the return", exact=True).last.click()

    expect(phone.locator(".claim-status")).to_have_text("Submitted")
    claim = Claim.objects.get(kind=ClaimKind.RETURN)
    expect(phone.get_by_role("heading", name=claim.rma_number)).to_be_visible()
    expect(phone.get_by_role("img", name="Photo crushed-box.jpg")).to_be_visible()
    assert claim.photos.count() == 1
    screenshot(phone, "return-filed")

    phone.get_by_role("link", name="My orders").first.click()
    expect(phone.locator(".claim-list")).to_contain_text(claim.rma_number)

    request_info(claim=claim, actor=new_staff(), question="Please send a photo of the shipping label.")
    phone.locator(".claim-list").get_by_role("link", name=claim.rma_number).click()
    expect(phone.locator(".question")).to_contain_text("shipping label")
    phone.get_by_label("Your answer").fill("Here is the label.")
    phone.get_by_label("Add photos").set_input_files(write_photo(tmp_path, "label.jpg", "white"))
    screenshot(phone, "answer")
    phone.get_by_role("button", name="Send my answer").last.click()
    expect(phone.get_by_text("your answer was sent")).to_be_visible()
    expect(phone.locator(".conversation")).to_contain_text("Here is the label.")
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED
    assert claim.photos.count() == 2

    phone.get_by_role("link", name="Cancel this claim").click()
    phone.get_by_role("button", name="Yes, cancel the claim").click()
    expect(phone.locator(".claim-status")).to_have_text("Cancelled")
    screenshot(phone, "cancelled")
    claim.refresh_from_db()
    assert claim.status == Status.CANCELLED
    subjects = [email.subject for email in sent_emails()]
    assert len(subjects) >= 4  # sign-in link, filed, question, cancelled


def test_warranty_claim_with_a_photo(phone, screenshot, sent_emails, settings, live_server, order, tmp_path):
    sign_in(phone, screenshot, sent_emails, settings, live_server)
    windmill = phone.locator(".order-line", has_text="Windmill diorama")
    windmill.get_by_role("link", name="Report a defect (warranty)").click()
    expect(phone.get_by_role("heading", name="Warranty claim: Windmill diorama")).to_be_visible()

    phone.get_by_label("Parts do not fit").check()
    phone.get_by_label("Description").fill("The blades do not fit on the axle; the hole is too small.")
    phone.get_by_label("Add photos").set_input_files(write_photo(tmp_path, "axle.jpg"))
    dropped = phone.get_by_label("The model was not dropped, hit hard or stored improperly (W4).")
    dropped.check()
    dropped.uncheck()
    expect(phone.locator('[data-hint-for="not_dropped_or_mishandled"]')).to_contain_text("(W4)")
    dropped.check()
    phone.get_by_label("It was not repaired by anyone other than ASM (W5).").check()
    assert fits_the_screen(phone)
    screenshot(phone, "warranty-form")
    phone.get_by_role("button", name="File the warranty claim").last.click()

    expect(phone.locator(".claim-status")).to_have_text("Submitted")
    claim = Claim.objects.get(kind=ClaimKind.WARRANTY)
    expect(phone.get_by_role("heading", name=claim.rma_number)).to_be_visible()
    assert claim.defect_category == "parts_do_not_fit"
    assert claim.photos.count() == 1
    screenshot(phone, "warranty-filed")


def test_a_rejected_photo_keeps_the_form_and_the_good_photo(
    phone, screenshot, sent_emails, settings, live_server, order, tmp_path
):
    sign_in(phone, screenshot, sent_emails, settings, live_server)
    phone.locator(".order-line", has_text="Lighthouse diorama").get_by_role(
        "link", name="Return this item"
    ).click()
    phone.get_by_label("Damaged in shipping").check()
    phone.get_by_label("Description").fill("Crushed corner.")
    fake = tmp_path / "invoice.png"
    fake.write_bytes(b"%PDF-1.4 this is not a picture")
    phone.get_by_label("Add photos").set_input_files([write_photo(tmp_path), fake])
    phone.get_by_role("button", name="File the return", exact=True).last.click()

    expect(phone.locator(".error-summary")).to_contain_text(
        "“invoice.png”: this is not a JPEG, PNG or WebP photo."
    )
    expect(phone.get_by_label("Description")).to_have_value("Crushed corner.")
    expect(phone.get_by_label("Damaged in shipping")).to_be_checked()
    expect(phone.locator(".photo-drafts img")).to_have_count(1)
    # Focus is on the first field in error.
    assert phone.evaluate("document.activeElement.name") == "new_photos"
    screenshot(phone, "photo-rejected")
    assert not Claim.objects.exists()


def test_sign_in_with_the_keyboard_alone(phone, sent_emails, settings, live_server, order):
    settings.ASM_SITE_URL = live_server.url
    phone.goto("/sign-in/")
    phone.keyboard.press("Tab")  # the skip link
    expect(phone.locator(".skip-link")).to_be_focused()
    phone.get_by_label("Order number").focus()
    phone.keyboard.type("ASM100245")
    phone.keyboard.press("Tab")
    phone.keyboard.type("ana@example.com")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="Check your email")).to_be_visible()
    phone.goto(sign_in_link(sent_emails()[0]))
    phone.get_by_role("button", name="Sign in").focus()
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="My orders")).to_be_visible()


def test_no_request_after_the_link_carries_its_token(phone, sent_emails, settings, live_server, order):
    """The link page's styles, scripts, its form's POST and the pages after it: no Referer holds the token."""
    settings.ASM_SITE_URL = live_server.url
    phone.goto("/sign-in/")
    phone.get_by_label("Order number").fill("ASM100245")
    phone.get_by_label("Email address on the order").fill("ana@example.com")
    phone.get_by_role("button", name="Email me a sign-in link").click()
    expect(phone.get_by_role("heading", name="Check your email")).to_be_visible()
    link = sign_in_link(sent_emails()[0])
    token = link.partition("token=")[2]
    referers: list[str] = []
    phone.on("request", lambda request: referers.append(request.headers.get("referer", "")))
    phone.goto(link)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_role("heading", name="My orders")).to_be_visible()
    assert len(referers) > 3  # the link, its styles and script, the POST, My orders and theirs
    assert [referer for referer in referers if token in referer or "sign-in/link" in referer] == []


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focus is on ``selector``: what a keyboard user does to reach it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_file_a_return_with_the_keyboard_alone(phone, live_server, order, customer):
    """From my orders to the filed claim: Tab, Space, arrows, typing and Enter only (WCAG 2.1.1)."""
    client = Client()
    client.force_login(customer)
    phone.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    phone.goto("/orders/")
    line = order.lines.get(product__name="Lighthouse diorama")
    tab_to(phone, f'a[href$="/orders/lines/{line.pk}/return/"]')
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="Return Lighthouse diorama")).to_be_visible()
    tab_to(phone, 'input[name="return_reason"]')
    phone.keyboard.press("Space")  # the first reason: changed my mind
    for name in ("intact_unused_packaged", "no_user_damage", "all_accessories_included"):
        tab_to(phone, f'input[name="{name}"]')
        phone.keyboard.press("Space")
    tab_to(phone, 'textarea[name="description"]')
    phone.keyboard.type("Too large for my shelf.")
    tab_to(phone, 'button[value="submit"]:not(.visually-hidden)')
    phone.keyboard.press("Enter")
    expect(phone.locator(".claim-status")).to_have_text(str(Status.SUBMITTED.label))
    claim = Claim.objects.get(order_line=line)
    assert (claim.kind, claim.return_reason) == (ClaimKind.RETURN, "changed_mind")
