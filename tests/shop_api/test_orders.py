"""PUT /api/v1/orders/{number} and POST /api/v1/orders:batch: the file import's rules, through JSON."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Order, OrderLine, User
from tests.factories import days_ago, make_claim, new_customer, new_line, new_staff
from tests.shop_api.conftest import bearer

pytestmark = pytest.mark.django_db


def order_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "email": "  Minh@Example.com ",
        "customer_name": "Minh Tran",
        "purchased_on": days_ago(5).isoformat(),
        "delivered_on": days_ago(3).isoformat(),
        "lines": [
            {"sku": "ASM-T34", "product_name": "T-34 diorama", "quantity": 2, "unit_price": "1250000.00"},
            {"sku": "ASM-BRIDGE", "product_name": "Bridge at Remagen", "quantity": 1},
        ],
    }
    body.update(changes)
    return body


def test_put_creates_the_order_for_the_customer_by_normalised_email(api):
    response = api.put("/api/v1/orders/WEB-1001", order_body())

    assert response.status_code == 200, response.content
    order = Order.objects.get(number="WEB-1001")
    assert order.customer.email == "minh@example.com"
    assert order.customer.full_name == "Minh Tran"
    assert order.delivered_on == days_ago(3)
    lines = {line.product.sku: line for line in order.lines.select_related("product")}
    assert lines["ASM-T34"].quantity == 2
    assert lines["ASM-T34"].unit_price == Decimal("1250000.00")
    assert lines["ASM-BRIDGE"].unit_price is None
    answer = response.json()
    assert answer["order_number"] == "WEB-1001"
    assert answer["email"] == "minh@example.com"
    assert [line["sku"] for line in answer["lines"]] == ["ASM-T34", "ASM-BRIDGE"]


def test_the_same_body_twice_changes_nothing_and_answers_the_same(api):
    first = api.put("/api/v1/orders/WEB-1001", order_body())
    snapshot = list(OrderLine.objects.values().order_by("pk"))

    second = api.put("/api/v1/orders/WEB-1001", order_body())

    assert second.status_code == 200
    assert second.json() == first.json()
    assert list(OrderLine.objects.values().order_by("pk")) == snapshot
    assert User.objects.filter(email="minh@example.com").count() == 1


def test_an_existing_customer_is_matched_and_an_omission_clears_nothing(api):
    customer = new_customer(email="minh@example.com", full_name="Minh")
    api.put("/api/v1/orders/WEB-1001", order_body())

    # Later the shop sends the order without the delivery date or a price: both are kept.
    body = order_body(delivered_on=None)
    body["lines"][0].pop("unit_price")
    response = api.put("/api/v1/orders/WEB-1001", body)

    assert response.status_code == 200
    order = Order.objects.get(number="WEB-1001")
    assert order.customer == customer
    assert order.delivered_on == days_ago(3)
    assert order.lines.get(product__sku="ASM-T34").unit_price == Decimal("1250000.00")


def test_a_delivery_date_is_filled_in_later(api):
    api.put("/api/v1/orders/WEB-1001", order_body(delivered_on=None))
    assert Order.objects.get(number="WEB-1001").delivered_on is None

    api.put("/api/v1/orders/WEB-1001", order_body())

    assert Order.objects.get(number="WEB-1001").delivered_on == days_ago(3)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "not a valid email address"),
        ({"purchased_on": "05/01/2026"}, "purchased_on", "not a date in the form YYYY-MM-DD"),
        ({"purchased_on": "2999-01-01"}, "purchased_on", "is in the future"),
        ({"delivered_on": days_ago(9).isoformat()}, "delivered_on", "before the purchase date"),
        (
            {"lines": [{"sku": "ASM-T34", "product_name": "T-34", "quantity": 0}]},
            "lines[0].quantity",
            "must be at least 1",
        ),
        (
            {"lines": [{"sku": "A", "product_name": "T-34", "quantity": 1, "unit_price": "1.001"}]},
            "lines[0].unit_price",
            "more than 2 decimal places",
        ),
        (
            {
                "lines": [
                    {"sku": "A", "product_name": "T-34", "quantity": 1},
                    {"sku": "A", "product_name": "T-34", "quantity": 2},
                ]
            },
            "lines[1].sku",
            "lists SKU A on line 1",
        ),
    ],
)
def test_a_rule_broken_is_a_422_naming_the_field_and_nothing_is_written(api, changes, field, message):
    response = api.put("/api/v1/orders/WEB-1001", order_body(**changes))

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(error["field"] == field and message in error["message"] for error in errors), errors
    assert not Order.objects.filter(number="WEB-1001").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"customer_name": "x"}, "email"),  # required keys missing
        ({**order_body(), "delivered_ob": "2026-01-01"}, "delivered_ob"),  # a misspelt key
        ({**order_body(), "lines": []}, "lines"),
        (
            {**order_body(), "lines": [{"sku": "A", "product_name": "B", "quantity": "two"}]},
            "lines[0].quantity",
        ),
        ({**order_body(), "email": ["a@b.c"]}, "email"),
    ],
)
def test_a_body_not_shaped_as_documented_is_a_400_naming_the_field(api, body, field):
    response = api.put("/api/v1/orders/WEB-1001", body)

    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not Order.objects.exists()


def test_a_body_that_is_not_json_is_a_400(api):
    response = api.client.put(
        "/api/v1/orders/WEB-1001",
        b"{nope",
        content_type="application/json",
        headers=bearer(api.token),
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"


def test_an_order_never_goes_to_a_staff_account(api):
    new_staff(email="minh@example.com")

    response = api.put("/api/v1/orders/WEB-1001", order_body())

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "email", "message": "minh@example.com is a staff account; orders belong to customers"}
    ]


def test_an_order_never_changes_customer(api):
    api.put("/api/v1/orders/WEB-1001", order_body())

    response = api.put("/api/v1/orders/WEB-1001", order_body(email="someone@example.com"))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"
    assert Order.objects.get(number="WEB-1001").customer.email == "minh@example.com"


def test_a_quantity_never_drops_below_what_its_claims_cover(api):
    line = new_line(quantity=2, order__purchased_on=days_ago(5), order__delivered_on=days_ago(3))
    make_claim(line=line, quantity=2)
    order = line.order
    assert order.delivered_on is not None
    body = order_body(
        email=order.customer.email,
        purchased_on=order.purchased_on.isoformat(),
        delivered_on=order.delivered_on.isoformat(),
        lines=[{"sku": line.product.sku, "product_name": line.product.name, "quantity": 1}],
    )

    response = api.put(f"/api/v1/orders/{order.number}", body)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "lines[0].quantity", "message": "2 already claimed on this line; cannot be 1"}
    ]
    line.refresh_from_db()
    assert line.quantity == 2


def batch_order(number: str, **changes: Any) -> dict[str, Any]:
    return {"order_number": number, **order_body(**changes)}


def test_a_batch_writes_every_order(api):
    response = api.post("/api/v1/orders:batch", {"orders": [batch_order("B-1"), batch_order("B-2")]})

    assert response.status_code == 200, response.content
    assert [order["order_number"] for order in response.json()["orders"]] == ["B-1", "B-2"]
    assert Order.objects.filter(number__in=["B-1", "B-2"]).count() == 2


def test_a_batch_with_one_bad_order_writes_none_and_names_the_order(api):
    orders = [batch_order("B-1"), batch_order("B-2", email="nope"), batch_order("B-3")]

    response = api.post("/api/v1/orders:batch", {"orders": orders})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["orders[1].email"]
    assert not Order.objects.exists()
    assert not User.objects.filter(email="minh@example.com").exists()


def test_a_batch_over_500_orders_is_refused_whole(api):
    orders = [batch_order(f"B-{index}") for index in range(501)]

    response = api.post("/api/v1/orders:batch", {"orders": orders})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "orders"
    assert not Order.objects.exists()


def test_an_order_pushed_by_the_shop_is_on_the_customers_my_orders(api):
    api.put("/api/v1/orders/WEB-1001", order_body())
    browser = Client()
    browser.force_login(User.objects.get(email="minh@example.com"))

    page = browser.get(reverse("portal:orders")).content.decode()

    assert "WEB-1001" in page
    assert "T-34 diorama" in page
