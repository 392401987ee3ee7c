"""Orders pushed through the API, upserted by the file import's own code (``claims.importing``).

An order of the body becomes the rows a CSV export would hold, one per line,
and goes through ``import_order_rows``: the same checks, the same upsert, the
same all-or-nothing transaction. Its problems come back as ``{field, message}``
with the field named as in the body (``lines[1].quantity``,
``orders[3].email``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from claims.importing import ImportRefused, RowProblem, SourceRow, import_order_rows
from claims.models import Order
from shop_api.schemas import NumberedOrderIn, OrderIn

ORDER_FIELDS = frozenset({"order_number", "email", "customer_name", "purchased_on", "delivered_on"})


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class OrdersRefused(Exception):
    """The orders break the import's rules; nothing was written."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


@dataclass(frozen=True)
class _Place:
    """Where a row came from in the body: the order's path (``""`` or ``orders[3]``) and its line."""

    order_path: str
    line_index: int


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _rows(orders: Sequence[tuple[str, str, OrderIn]]) -> tuple[list[SourceRow], dict[int, _Place]]:
    """One import row per line of each (path, order number, order), numbered in order."""
    rows: list[SourceRow] = []
    places: dict[int, _Place] = {}
    for order_path, number, order in orders:
        for index, line in enumerate(order.lines):
            values = {
                "order_number": number,
                "email": order.email,
                "customer_name": order.customer_name,
                "purchased_on": order.purchased_on,
                "delivered_on": _text(order.delivered_on),
                "sku": line.sku,
                "product_name": line.product_name,
                "quantity": str(line.quantity),
                "unit_price": _text(line.unit_price),
            }
            row = SourceRow(line=len(rows) + 1, values=values)
            places[row.line] = _Place(order_path, index)
            rows.append(row)
    return rows, places


def _field_problems(problems: Sequence[RowProblem], places: dict[int, _Place]) -> list[FieldProblem]:
    """The import's ``line N: field: reason`` as body paths; an order's own field is reported once."""
    found: dict[tuple[str, str], None] = {}
    for problem in problems:
        place = places.get(problem.line) if problem.line is not None else None
        if place is None:  # about the whole request: a concurrent change to the same records
            path = "body"
        elif problem.field in ORDER_FIELDS:
            path = ".".join(filter(None, [place.order_path, problem.field]))
        else:
            line_path = f"lines[{place.line_index}].{problem.field}"
            path = ".".join(filter(None, [place.order_path, line_path]))
        found.setdefault((path, problem.reason), None)
    return [FieldProblem(field, message) for field, message in found]


def _import(orders: Sequence[tuple[str, str, OrderIn]], *, today: date) -> None:
    rows, places = _rows(orders)
    try:
        import_order_rows(iter(rows), today=today)
    except ImportRefused as refused:
        raise OrdersRefused(_field_problems(refused.problems, places)) from refused


def put_order(*, order_number: str, order: OrderIn, today: date) -> Order:
    """Create or update one order and its lines; the same body twice changes nothing the second time."""
    _import([("", order_number, order)], today=today)
    return orders_by_number([order_number])[0]


def put_orders(*, orders: Sequence[NumberedOrderIn], today: date) -> list[Order]:
    """Create or update every order in one transaction, or none; problems name the order's position."""
    numbered = [(f"orders[{index}]", order.order_number, order) for index, order in enumerate(orders)]
    _import(numbered, today=today)
    return orders_by_number([order.order_number for order in orders])


def orders_by_number(numbers: Sequence[str]) -> list[Order]:
    """The orders as stored, with customer and lines, in the order asked (trimmed, as imported)."""
    wanted = [number.strip() for number in numbers]
    by_number = {
        order.number: order
        for order in Order.objects.filter(number__in=wanted)
        .select_related("customer")
        .prefetch_related("lines__product")
    }
    return [by_number[number] for number in dict.fromkeys(wanted)]


def order_representation(order: Order) -> dict[str, object]:
    return {
        "order_number": order.number,
        "email": order.customer.email,
        "customer_name": order.customer.full_name,
        "purchased_on": order.purchased_on.isoformat(),
        "delivered_on": order.delivered_on.isoformat() if order.delivered_on else None,
        "lines": [
            {
                "sku": line.product.sku,
                "product_name": line.product.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for line in order.lines.all()
        ],
    }
