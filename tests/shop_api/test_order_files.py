"""Order files from the admin: upload, preview, confirm, progress; a bad file changes nothing."""

from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Order, OrderLine
from shop_api import order_files
from shop_api.models import OrderFileImport
from tests.admin.conftest import signed_in, staff
from tests.factories import days_ago

pytestmark = pytest.mark.django_db

HEADER = "order_number,email,customer_name,sku,product_name,quantity,purchased_on,delivered_on,unit_price"


def order_file(*rows: str, name: str = "orders.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join([HEADER, *rows]).encode() + b"\n", content_type="text/csv")


def good_rows() -> list[str]:
    bought, delivered = days_ago(5).isoformat(), days_ago(3).isoformat()
    return [
        f"F-1,minh@example.com,Minh,ASM-T34,T-34 diorama,2,{bought},{delivered},1250000",
        f"F-1,minh@example.com,Minh,ASM-BRIDGE,Bridge,1,{bought},{delivered},",
        f"F-2,lan@example.com,Lan,ASM-T34,T-34 diorama,1,{bought},,",
    ]


@pytest.fixture
def manager() -> Any:
    return signed_in(staff("Care managers"))


def upload(manager: Any, file: SimpleUploadedFile) -> tuple[Any, OrderFileImport]:
    response = manager.post(reverse("admin:shop_api_orderfileimport_add"), {"file": file}, follow=True)
    return response, OrderFileImport.objects.latest("pk")


def test_a_file_is_previewed_and_nothing_is_imported_before_confirmation(manager):
    response, uploaded = upload(manager, order_file(*good_rows()))

    assert response.status_code == 200
    assert uploaded.state == OrderFileImport.State.PREVIEWED
    page = response.content.decode()
    assert "3 rows: customers 2 created, 0 updated; products 2 created" in page
    assert "Import these orders" in page
    assert not Order.objects.exists()


def test_confirming_imports_it_by_the_task_and_reports_progress(manager, django_capture_on_commit_callbacks):
    _response, uploaded = upload(manager, order_file(*good_rows()))
    confirm = reverse("admin:shop_api_orderfileimport_confirm", args=[uploaded.pk])

    with (
        mock.patch("shop_api.order_files.publish_task") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        manager.post(confirm)
    publish.assert_called_once_with(order_files.IMPORT_TASK, args=[uploaded.pk])
    progress_url = reverse("admin:shop_api_orderfileimport_progress", args=[uploaded.pk])
    assert manager.get(progress_url).json() == {"state": "importing", "rows": 3, "rows_read": 0}
    page = manager.get(reverse("admin:shop_api_orderfileimport_change", args=[uploaded.pk])).content.decode()
    assert "data-progress-url" in page

    order_files.run_order_file_import(upload_id=uploaded.pk)  # what the worker runs

    assert manager.get(progress_url).json() == {"state": "imported", "rows": 3, "rows_read": 3}
    assert sorted(Order.objects.values_list("number", flat=True)) == ["F-1", "F-2"]
    assert OrderLine.objects.count() == 3
    # A second confirmation, or a second run of the task, imports nothing again.
    with mock.patch("shop_api.order_files.publish_task") as publish:
        manager.post(confirm)
    publish.assert_not_called()


def test_a_bad_file_lists_every_problem_and_changes_nothing(manager):
    rows = good_rows()
    rows[1] = rows[1].replace("minh@example.com", "not-an-email").replace(",1,", ",0,")
    response, uploaded = upload(manager, order_file(*rows))

    assert uploaded.state == OrderFileImport.State.REFUSED
    assert "line 3: email: not a valid email address: “not-an-email”" in uploaded.problems
    assert "line 3: quantity: must be at least 1, not 0" in uploaded.problems
    page = response.content.decode()
    assert "line 3: quantity: must be at least 1, not 0" in page
    assert "Import these orders" not in page
    assert not Order.objects.exists()
    confirm = reverse("admin:shop_api_orderfileimport_confirm", args=[uploaded.pk])
    with mock.patch("shop_api.order_files.publish_task") as publish:
        manager.post(confirm)
    publish.assert_not_called()


def test_only_csv_or_json_files_are_taken(manager):
    response = manager.post(
        reverse("admin:shop_api_orderfileimport_add"),
        {"file": SimpleUploadedFile("orders.xlsx", b"PK\x03\x04", content_type="application/zip")},
    )

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not OrderFileImport.objects.exists()


def test_care_staff_cannot_import_order_files():
    care = signed_in(staff("Care staff"))

    response = care.post(reverse("admin:shop_api_orderfileimport_add"), {"file": order_file(*good_rows())})

    assert response.status_code == 403
    assert not OrderFileImport.objects.exists()
