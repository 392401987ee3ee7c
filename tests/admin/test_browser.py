"""In real Chromium: care approves, the warehouse receives and inspects, care resolves.

The customer's claim page shows each step.
"""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from claims.lifecycle import Status
from claims.models import Claim
from tests.admin.conftest import staff
from tests.factories import ensure_roles, make_claim

PASSWORD = "staff-password-1"


@pytest.fixture
def browser(chromium):
    """The session's shared Chromium (tests/conftest.py): Playwright's sync API runs one at a time."""
    return chromium


def staff_page(browser, live_server, email: str):
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}{reverse('admin:login')}")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    # Signed in: the home page, or the warehouse page for the warehouse.
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def customer_page(browser, live_server, claim: Claim):
    """The customer's browser, signed in through a session (the portal signs in by emailed link)."""
    client = Client()
    client.force_login(claim.order_line.order.customer)
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


@pytest.mark.browser
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_return_from_approval_to_refund(browser, live_server):
    ensure_roles()
    care = staff("Care staff", email="care-browser@asm.example")
    warehouse = staff("Warehouse staff", email="warehouse-browser@asm.example")
    claim = make_claim(Status.SUBMITTED)
    customer = customer_page(browser, live_server, claim)
    claim_url = f"{live_server.url}/claims/{claim.rma_number}/"

    def customer_sees(label: str) -> None:
        customer.goto(claim_url)
        assert customer.locator(".claim-status").inner_text().strip() == label

    customer_sees(str(Status.SUBMITTED.label))

    # Care approves from the claim page.
    care_page = staff_page(browser, live_server, care.email)
    care_page.goto(f"{live_server.url}{reverse('admin:claims_claim_change', args=[claim.pk])}")
    care_page.click("a.asm-step:text-is('Approve')")
    care_page.click("input[type=submit][value='Approve']")
    assert "approved" in care_page.locator(".messagelist").inner_text()
    customer_sees(str(Status.APPROVED.label))

    # The warehouse scans the RMA, marks the parcel received, then inspects it.
    desk = staff_page(browser, live_server, warehouse.email)
    desk.set_viewport_size({"width": 390, "height": 844})  # a phone
    desk.goto(f"{live_server.url}{reverse('admin:claims_claim_warehouse')}")
    desk.fill("#id_rma", str(claim.rma_number).lower())
    desk.press("#id_rma", "Enter")
    desk.wait_for_url(f"**{reverse('admin:claims_claim_warehouse_claim', args=[claim.pk])}")
    desk.click("input[type=submit][value='Mark received']")
    assert "received" in desk.locator(".messagelist").inner_text()
    customer_sees(str(Status.RECEIVED.label))

    for name in ("found_intact_unused_packaged", "found_no_user_damage", "found_all_accessories_included"):
        desk.check(f"input[name={name}]")
    desk.fill("textarea[name=notes]", "Sealed box, all parts.")
    desk.click("input[type=submit][value='Record the inspection']")
    assert "matches the declaration" in desk.locator(".messagelist").inner_text()
    customer_sees(str(Status.INSPECTED.label))

    # Care decides the refund; the amount is proposed from the order line.
    care_page.goto(f"{live_server.url}{reverse('admin:claims_claim_change', args=[claim.pk])}")
    care_page.click("a.asm-step:text-is('Resolve')")
    care_page.check("input[name=outcome][value=refund]")
    assert care_page.input_value("input[name=refund_amount]") == "1250000.00"
    care_page.fill("input[name=payment_reference]", "PAY-BROWSER-1")
    care_page.click("input[type=submit][value='Resolve']")
    assert "resolved" in care_page.locator(".messagelist").inner_text()
    customer_sees(str(Status.RESOLVED.label))

    claim.refresh_from_db()
    assert claim.payment_reference == "PAY-BROWSER-1"
    assert [event.actor for event in claim.events.exclude(kind=Status.SUBMITTED)] == [
        care,
        warehouse,
        warehouse,
        care,
    ]


@pytest.mark.browser
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_resolve_form_hides_the_refund_while_the_item_is_returned(browser, live_server):
    """RP5: "Returned to the customer" hides (and empties) the refund fields; "Refund" brings them back."""
    ensure_roles()
    staff("Care staff", email="care-resolve@asm.example")
    claim = make_claim(Status.INSPECTED)
    care = staff_page(browser, live_server, "care-resolve@asm.example")
    care.goto(f"{live_server.url}{reverse('admin:claims_claim_step', args=[claim.pk, 'resolve'])}")
    amount = care.locator('input[name="refund_amount"]')
    initial = amount.input_value()
    assert initial
    care.get_by_label("Returned to the customer").check()
    expect(amount).to_be_hidden()
    expect(care.locator('input[name="payment_reference"]')).to_be_hidden()
    care.get_by_label("Refund", exact=True).check()
    expect(amount).to_be_visible()
    expect(amount).to_have_value(initial)


@pytest.mark.browser
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_filing_for_a_customer_shows_what_the_kind_chosen_needs(browser, live_server):
    """A return asks for a reason and R2–R4; a warranty claim for a defect category and W4–W5."""
    ensure_roles()
    staff("Care staff", email="care-filing@asm.example")
    line = make_claim(Status.SUBMITTED).order_line
    care = staff_page(browser, live_server, "care-filing@asm.example")
    care.goto(f"{live_server.url}{reverse('admin:claims_claim_add')}?order={line.order.number}")
    care.get_by_role("radio", name="Warranty").check()
    expect(care.locator('select[name="return_reason"]')).to_be_hidden()
    expect(care.locator('input[name="intact_unused_packaged"]')).to_be_hidden()
    expect(care.locator('input[name="not_dropped_or_mishandled"]')).to_be_visible()
    care.get_by_role("radio", name="Return").check()
    expect(care.locator('select[name="defect_category"]')).to_be_hidden()
    expect(care.locator('input[name="intact_unused_packaged"]')).to_be_visible()
