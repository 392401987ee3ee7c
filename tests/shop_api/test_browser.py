"""The API's docs and the order import's progress bar in real headless Chromium, under the site's CSP."""

import importlib
import os
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from shop_api.keys import create_api_key
from shop_api.models import OrderFileImport
from tests.admin.conftest import staff
from tests.factories import STAFF_PASSWORD, ensure_roles

SHOP_GRANTS = importlib.import_module("shop_api.migrations.0002_manager_permissions").GRANTS

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Any:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.csp_errors = []
    page.on(
        "console",
        lambda message: (
            page.csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()


def test_the_docs_show_every_operation_and_try_one_with_a_key(page):
    token = create_api_key(name="Docs", can_write_orders=False, can_read_claims=True, created_by=None).token

    page.goto("/api/v1/docs")

    expect(page.get_by_text("ASM Care Portal API")).to_be_visible()
    for path in (
        "/api/v1/orders/{order_number}",
        "/api/v1/orders:batch",
        "/api/v1/claims",
        "/api/v1/claims/{rma}",
    ):
        expect(page.locator(".opblock-summary-path", has_text=path).first).to_be_visible()
    page.get_by_role("button", name="Authorize").click()
    page.locator(".auth-container input").fill(token)
    page.locator(".auth-btn-wrapper button.authorize").click()
    page.locator(".btn-done").click()
    page.locator(".opblock-summary-path", has_text="/api/v1/claims").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    expect(page.locator(".live-responses-table tbody .response-col_description")).to_contain_text('"claims"')
    assert page.csp_errors == []


def test_a_manager_watches_an_order_file_import_finish(page):
    ensure_roles()
    manager = staff("Care managers", email="manager@asm.example")
    manager.user_permissions.add(  # what shop_api's migration 0002 grants the role (flushed here)
        *Permission.objects.filter(
            content_type__app_label="shop_api", codename__in=SHOP_GRANTS["Care managers"]
        )
    )
    upload = OrderFileImport(original_name="orders.csv", state=OrderFileImport.State.IMPORTING, rows=3)
    upload.file.save("orders.csv", ContentFile(b"order_number\n"), save=True)

    page.goto("/admin/login/")
    page.fill("input[name=username]", manager.email)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"/admin/shop_api/orderfileimport/{upload.pk}/change/")
    expect(page.locator("progress[data-progress-url]")).to_be_visible()

    OrderFileImport.objects.filter(pk=upload.pk).update(state=OrderFileImport.State.IMPORTED)

    # The page polls, sees the import ended, and shows the result without the bar.
    expect(page.locator("progress")).to_have_count(0, timeout=10_000)
    expect(page.get_by_text("Imported", exact=True).first).to_be_visible()
    assert page.csp_errors == []
