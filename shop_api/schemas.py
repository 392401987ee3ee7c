"""The API's request and response bodies, as the OpenAPI document shows them.

The request bodies check only their shape (an object with these keys, each a
string or a number). The rules on the values (an email, a date not in the
future, a quantity never below what is claimed…) are the file import's, in
``claims.importing``, applied to the body by ``shop_api.orders``.
"""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict
from pydantic.config import JsonDict

MAX_BATCH_ORDERS = 500
MAX_LINES_PER_ORDER = 500
DATE: JsonDict = {"format": "date", "examples": ["2026-05-01"]}


class Strict(Schema):
    # An unknown key is refused, not ignored: a misspelt "delivered_ob" must not pass silently.
    model_config = ConfigDict(extra="forbid")


class OrderLineIn(Strict):
    sku: str = Field(max_length=200)
    product_name: str = Field(max_length=1000)
    quantity: int
    unit_price: Decimal | None = Field(
        None, description="Omitted or null: a price already recorded is kept.", examples=["1250000.00"]
    )


class OrderIn(Strict):
    email: str = Field(max_length=1000, description="The customer's email; matched trimmed, in any case.")
    customer_name: str = Field("", max_length=1000)
    purchased_on: str = Field(max_length=100, json_schema_extra=DATE)
    delivered_on: str | None = Field(
        None,
        max_length=100,
        json_schema_extra=DATE,
        description="Omitted or null until delivery; a date already recorded is kept.",
    )
    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_LINES_PER_ORDER)


class NumberedOrderIn(OrderIn):
    order_number: str = Field(max_length=200)


class OrderBatchIn(Strict):
    orders: list[NumberedOrderIn] = Field(min_length=1, max_length=MAX_BATCH_ORDERS)


class OrderLineOut(Schema):
    sku: str
    product_name: str
    quantity: int
    unit_price: Decimal | None


class OrderOut(Schema):
    order_number: str
    email: str
    customer_name: str
    purchased_on: str
    delivered_on: str | None
    lines: list[OrderLineOut]


class OrderBatchOut(Schema):
    orders: list[OrderOut]


class ClaimLineOut(Schema):
    sku: str
    product_name: str
    quantity: int = Field(description="How many of the line's items the claim is for.")
    unit_price: Decimal | None


class ClaimOut(Schema):
    rma: str
    kind: str = Field(description="return or warranty")
    status: str
    order_number: str
    lines: list[ClaimLineOut]
    outcome: str | None = Field(description="refund, replacement, repair or returned_to_customer")
    refund_amount: Decimal | None
    currency: str
    submitted_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class ClaimPage(Schema):
    claims: list[ClaimOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class Problem(Schema):
    field: str = Field(description="Where: a key of the body, e.g. `lines[0].quantity`, or a header.")
    message: str


class Problems(Schema):
    errors: list[Problem]
