"""Orders in: read a shop's CSV or JSON export, check every row, upsert it all in one transaction.

The file is all or nothing. Every problem is collected (not just the first)
and reported as ``line N: field: reason``; if there is any, nothing is
written. N is the physical line of the CSV file, the header being line 1, or
the 1-based position of the object in a JSON array.

Rows are matched to what exists by natural key — customer by normalised
email, product by SKU, order by number, line by (order, product) — and the
writes are bulk queries, so a 10,000-line file takes seconds. Importing a
file twice changes nothing; an empty ``delivered_on`` or ``unit_price``
never clears a value already recorded, so a later export fills them in.
Nothing is ever deleted.
"""

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Sum

from claims.models import Claim, Order, OrderLine, Product, User, normalize_email
from claims.selectors import COVERING_CLAIMS

REQUIRED_COLUMNS = (
    "order_number",
    "email",
    "customer_name",
    "sku",
    "product_name",
    "quantity",
    "purchased_on",
    "delivered_on",
)
OPTIONAL_COLUMNS = ("unit_price",)
KNOWN_COLUMNS = frozenset(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)

# Keeps each ``IN (...)`` lookup under SQLite's limit on query parameters.
LOOKUP_CHUNK = 900
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
UNIT_PRICE_MAX = Decimal("9999999999.99")  # OrderLine.unit_price: 12 digits, 2 decimal places

Progress = Callable[[int], object]
Keyed = TypeVar("Keyed")


@dataclass(frozen=True)
class RowProblem:
    """One reason a file is refused. ``line`` is None for a problem with the whole file."""

    line: int | None
    field: str
    reason: str

    def __str__(self) -> str:
        prefix = f"line {self.line}: " if self.line is not None else ""
        return f"{prefix}{self.field}: {self.reason}"


class ImportRefused(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s); nothing was imported")
        self.problems = list(problems)


@dataclass(frozen=True)
class SourceRow:
    """One record as read from the file, every value as text."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class OrderRow:
    """One checked record: an order line, with its order, customer and product."""

    line: int
    order_number: str
    email: str
    customer_name: str
    sku: str
    product_name: str
    quantity: int
    purchased_on: date
    delivered_on: date | None
    unit_price: Decimal | None


@dataclass
class Tally:
    created: int = 0
    updated: int = 0


@dataclass
class ImportSummary:
    rows: int
    customers: Tally
    products: Tally
    orders: Tally
    lines: Tally

    def __str__(self) -> str:
        parts = [
            f"{name} {tally.created} created, {tally.updated} updated"
            for name, tally in (
                ("customers", self.customers),
                ("products", self.products),
                ("orders", self.orders),
                ("order lines", self.lines),
            )
        ]
        return f"{self.rows} rows: " + "; ".join(parts) + "."


# --- Reading --------------------------------------------------------------------


def read_order_file(path: Path) -> list[SourceRow]:
    """The file's records; JSON when it is named ``*.json`` or starts with ``[``, CSV otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportRefused([RowProblem(None, "file", f"cannot be read ({error.strerror})")]) from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        text_line = raw[: error.start].count(b"\n") + 1
        raise ImportRefused(
            [
                RowProblem(
                    text_line,
                    "file",
                    f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8",
                )
            ]
        ) from error
    if not text.strip():
        raise ImportRefused([RowProblem(None, "file", "the file is empty")])
    if path.suffix.lower() == ".json" or text.lstrip().startswith("["):
        return _read_json(text)
    return _read_csv(text)


def _header_problems(columns: Sequence[str], *, line: int | None) -> list[RowProblem]:
    problems = [
        RowProblem(line, "header", f"missing column “{name}”")
        for name in REQUIRED_COLUMNS
        if name not in columns
    ]
    problems += [
        RowProblem(line, "header", f"unknown column “{name}”")
        for name in dict.fromkeys(columns)
        if name not in KNOWN_COLUMNS
    ]
    problems += [
        RowProblem(line, "header", f"column “{name}” appears twice")
        for name in sorted({name for name in columns if columns.count(name) > 1})
    ]
    return problems


def _read_csv(text: str) -> list[SourceRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader)]
    problems = _header_problems(header, line=1)
    if problems:
        raise ImportRefused(problems)
    rows: list[SourceRow] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                RowProblem(
                    reader.line_num, "row", f"has {len(cells)} values where the header has {len(header)}"
                )
            )
            continue
        rows.append(SourceRow(reader.line_num, dict(zip(header, cells, strict=True))))
    if problems:
        raise ImportRefused(problems)
    if not rows:
        raise ImportRefused([RowProblem(None, "file", "the file has a header but no rows")])
    return rows


def _json_text(value: Any) -> str | None:
    """A JSON value as the text a CSV cell would hold; None for nested values."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: True is an int in Python
        return None
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _read_json(text: str) -> list[SourceRow]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportRefused(
            [RowProblem(None, "file", f"not valid JSON ({error.msg} at line {error.lineno})")]
        ) from error
    if not isinstance(document, list):
        raise ImportRefused([RowProblem(None, "file", "expected a JSON array of objects")])
    if not document:
        raise ImportRefused([RowProblem(None, "file", "the file is empty")])
    rows: list[SourceRow] = []
    problems: list[RowProblem] = []
    for position, record in enumerate(document, start=1):
        if not isinstance(record, dict):
            problems.append(RowProblem(position, "row", "expected an object"))
            continue
        columns = [str(name).strip().lower() for name in record]
        header_problems = _header_problems(columns, line=position)
        values: dict[str, str] = {}
        for name, value in zip(columns, record.values(), strict=True):
            as_text = _json_text(value)
            if as_text is None:
                header_problems.append(RowProblem(position, name, "must be text or a number"))
            else:
                values[name] = as_text
        problems += header_problems
        rows.append(SourceRow(position, values))
    if problems:
        raise ImportRefused(problems)
    return rows


# --- Checking -------------------------------------------------------------------


def _check_text(values: dict[str, str], name: str, *, max_length: int, required: bool = True) -> str:
    value = values[name].strip()
    if required and not value:
        raise ValueError("required")
    if len(value) > max_length:
        raise ValueError(f"longer than {max_length} characters")
    return value


def _check_email(values: dict[str, str]) -> str:
    email = normalize_email(values["email"])
    if not email:
        raise ValueError("required")
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValueError(f"not a valid email address: “{values['email'].strip()}”") from error
    return email


def _check_quantity(values: dict[str, str]) -> int:
    text = values["quantity"].strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f"not a whole number: “{text}”" if text else "required")
    quantity = int(text)
    if quantity < 1:
        raise ValueError(f"must be at least 1, not {quantity}")
    return quantity


def _check_date(values: dict[str, str], name: str, *, today: date, required: bool = True) -> date | None:
    text = values[name].strip()
    if not text:
        if required:
            raise ValueError("required")
        return None
    try:
        if not ISO_DATE.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"not a date in the form YYYY-MM-DD: “{text}”") from error
    if day > today:
        raise ValueError(f"{day.isoformat()} is in the future")
    return day


def _check_unit_price(values: dict[str, str]) -> Decimal | None:
    text = values.get("unit_price", "").strip()
    if not text:
        return None
    try:
        price = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(f"not a number: “{text}”") from error
    if not price.is_finite() or price < 0:
        raise ValueError(f"must be zero or more: “{text}”")
    if price != price.quantize(Decimal("0.01")):
        raise ValueError(f"more than 2 decimal places: “{text}”")
    if price > UNIT_PRICE_MAX:
        raise ValueError(f"too large: “{text}”")
    return price.quantize(Decimal("0.01"))


def check_row(source: SourceRow, *, today: date) -> tuple[dict[str, Any], list[RowProblem]]:
    """One row on its own: the fields that pass their check, and a problem for each that does not."""
    values = source.values
    checked: dict[str, Any] = {}
    problems: list[RowProblem] = []
    checks: list[tuple[str, Callable[[], Any]]] = [
        ("order_number", lambda: _check_text(values, "order_number", max_length=64)),
        ("email", lambda: _check_email(values)),
        ("customer_name", lambda: _check_text(values, "customer_name", max_length=200, required=False)),
        ("sku", lambda: _check_text(values, "sku", max_length=64)),
        ("product_name", lambda: _check_text(values, "product_name", max_length=200)),
        ("quantity", lambda: _check_quantity(values)),
        ("purchased_on", lambda: _check_date(values, "purchased_on", today=today)),
        ("delivered_on", lambda: _check_date(values, "delivered_on", today=today, required=False)),
        ("unit_price", lambda: _check_unit_price(values)),
    ]
    for name, check in checks:
        try:
            checked[name] = check()
        except ValueError as error:
            problems.append(RowProblem(source.line, name, str(error)))
    purchased_on, delivered_on = checked.get("purchased_on"), checked.get("delivered_on")
    if purchased_on and delivered_on and delivered_on < purchased_on:
        problems.append(
            RowProblem(
                source.line,
                "delivered_on",
                f"{delivered_on.isoformat()} is before the purchase date {purchased_on.isoformat()}",
            )
        )
    return checked, problems


def _consistency_problems(rows: Sequence[tuple[int, dict[str, Any]]]) -> list[RowProblem]:
    """Rows that contradict an earlier row of the same file about the same order or product.

    Only fields that passed their own check are compared, so a row with a bad
    date still has its conflicting email reported in the same run.
    """
    problems: list[RowProblem] = []
    first_of_order: dict[str, tuple[int, dict[str, Any]]] = {}
    first_of_product: dict[str, tuple[int, str]] = {}
    line_of_item: dict[tuple[str, str], int] = {}
    for line, fields in rows:
        number, sku = fields.get("order_number"), fields.get("sku")
        if number:
            first_line, first = first_of_order.setdefault(number, (line, fields))
            for name in ("email", "purchased_on", "delivered_on"):
                if name in fields and name in first and fields[name] != first[name]:
                    problems.append(
                        RowProblem(
                            line, name, f"order {number} has “{first[name] or ''}” on line {first_line}"
                        )
                    )
        if sku and "product_name" in fields:
            named_line, name = first_of_product.setdefault(sku, (line, fields["product_name"]))
            if fields["product_name"] != name:
                problems.append(
                    RowProblem(line, "product_name", f"SKU {sku} is named “{name}” on line {named_line}")
                )
        if number and sku:
            earlier = line_of_item.setdefault((number, sku), line)
            if earlier != line:
                problems.append(RowProblem(line, "sku", f"order {number} lists SKU {sku} on line {earlier}"))
    return problems


def check_rows(
    sources: Iterable[SourceRow], *, today: date, progress: Progress | None = None
) -> list[OrderRow]:
    """Every row checked on its own and against the others; raises ``ImportRefused`` with all problems."""
    checked_rows: list[tuple[int, dict[str, Any]]] = []
    problems: list[RowProblem] = []
    for source in sources:
        fields, row_problems = check_row(source, today=today)
        checked_rows.append((source.line, fields))
        problems += row_problems
        if progress is not None:
            progress(1)
    problems += _consistency_problems(checked_rows)
    if problems:
        raise ImportRefused(sorted(problems, key=lambda problem: problem.line or 0))
    return [OrderRow(line=line, **fields) for line, fields in checked_rows]


# --- Writing --------------------------------------------------------------------


def _chunks(keys: Iterable[Keyed]) -> Iterator[list[Keyed]]:
    pending = list(keys)
    for start in range(0, len(pending), LOOKUP_CHUNK):
        yield pending[start : start + LOOKUP_CHUNK]


def _customers_by_email(emails: Iterable[str]) -> dict[str, User]:
    return {
        user.email: user
        for chunk in _chunks(emails)
        for user in User.objects.filter(email__in=chunk).only("pk", "email", "full_name")
    }


def _products_by_sku(skus: Iterable[str]) -> dict[str, Product]:
    return {
        product.sku: product for chunk in _chunks(skus) for product in Product.objects.filter(sku__in=chunk)
    }


def _orders_by_number(numbers: Iterable[str]) -> dict[str, Order]:
    return {
        order.number: order
        for chunk in _chunks(numbers)
        for order in Order.objects.filter(number__in=chunk).select_related("customer")
    }


def _lines_by_item(order_ids: Iterable[int]) -> dict[tuple[int, int], OrderLine]:
    return {
        (line.order_id, line.product_id): line
        for chunk in _chunks(order_ids)
        for line in OrderLine.objects.filter(order_id__in=chunk)
    }


def _covered_quantities(line_ids: Iterable[int]) -> dict[int, int]:
    """What open or resolved claims already cover on each line, which a new quantity must not undercut."""
    return {
        entry["order_line"]: entry["covered"]
        for chunk in _chunks(line_ids)
        for entry in Claim.objects.filter(COVERING_CLAIMS, order_line__in=chunk)
        .values("order_line")
        .annotate(covered=Sum("quantity"))
    }


def _save_customers(rows: Sequence[OrderRow], existing: dict[str, User], tally: Tally) -> dict[str, User]:
    # A customer may type their name differently on each order: the last one given wins.
    names: dict[str, str] = {}
    for row in rows:
        if row.customer_name or row.email not in names:
            names[row.email] = row.customer_name or names.get(row.email, "")
    new = [
        User(email=email, full_name=name, password=make_password(None))
        for email, name in names.items()
        if email not in existing
    ]
    changed = [
        existing[email]
        for email, name in names.items()
        if email in existing and name and existing[email].full_name != name
    ]
    for user in changed:
        user.full_name = names[user.email]
    User.objects.bulk_create(new)
    User.objects.bulk_update(changed, ["full_name"])
    tally.created, tally.updated = len(new), len(changed)
    return _customers_by_email(names) if new else existing


def _save_products(
    rows: Sequence[OrderRow], existing: dict[str, Product], tally: Tally
) -> dict[str, Product]:
    names = {row.sku: row.product_name for row in rows}
    new = [Product(sku=sku, name=name) for sku, name in names.items() if sku not in existing]
    changed = [existing[sku] for sku, name in names.items() if sku in existing and existing[sku].name != name]
    for product in changed:
        product.name = names[product.sku]
    Product.objects.bulk_create(new)
    Product.objects.bulk_update(changed, ["name"])
    tally.created, tally.updated = len(new), len(changed)
    return _products_by_sku(names) if new else existing


def _save_orders(
    rows: Sequence[OrderRow], existing: dict[str, Order], customers: dict[str, User], tally: Tally
) -> dict[str, Order]:
    # The rows of one order agree on its customer and dates (``_consistency_problems``).
    first_rows = {row.order_number: row for row in rows}
    new = [
        Order(
            number=number,
            customer=customers[row.email],
            purchased_on=row.purchased_on,
            delivered_on=row.delivered_on,
        )
        for number, row in first_rows.items()
        if number not in existing
    ]
    changed: list[Order] = []
    for number, row in first_rows.items():
        order = existing.get(number)
        if order is None:
            continue
        delivered_on = row.delivered_on or order.delivered_on
        if (order.purchased_on, order.delivered_on) != (row.purchased_on, delivered_on):
            order.purchased_on, order.delivered_on = row.purchased_on, delivered_on
            changed.append(order)
    Order.objects.bulk_create(new)
    Order.objects.bulk_update(changed, ["purchased_on", "delivered_on"])
    tally.created, tally.updated = len(new), len(changed)
    return _orders_by_number(first_rows) if new else existing


def _ownership_problems(rows: Sequence[OrderRow], existing: dict[str, Order]) -> list[RowProblem]:
    """An order never changes hands: its claims and emails belong to the customer who bought it."""
    return [
        RowProblem(
            row.line,
            "email",
            f"order {row.order_number} belongs to another customer "
            f"({existing[row.order_number].customer.email})",
        )
        for row in rows
        if row.order_number in existing and existing[row.order_number].customer.email != row.email
    ]


def _quantity_problems(
    rows: Sequence[OrderRow],
    orders: dict[str, Order],
    products: dict[str, Product],
    existing_lines: dict[tuple[int, int], OrderLine],
) -> list[RowProblem]:
    """A line's quantity may not drop below what its claims already cover."""
    reduced: dict[int, OrderRow] = {}
    for row in rows:
        order, product = orders.get(row.order_number), products.get(row.sku)
        line = existing_lines.get((order.pk, product.pk)) if order and product else None
        if line is not None and row.quantity < line.quantity:
            reduced[line.pk] = row
    return [
        RowProblem(row.line, "quantity", f"{covered} already claimed on this line; cannot be {row.quantity}")
        for line_id, covered in _covered_quantities(reduced).items()
        if (row := reduced[line_id]).quantity < covered
    ]


def _save_lines(
    rows: Sequence[OrderRow],
    orders: dict[str, Order],
    products: dict[str, Product],
    existing: dict[tuple[int, int], OrderLine],
    tally: Tally,
    progress: Progress | None,
) -> None:
    new: list[OrderLine] = []
    changed: list[OrderLine] = []
    for row in rows:
        order, product = orders[row.order_number], products[row.sku]
        line = existing.get((order.pk, product.pk))
        if line is None:
            new.append(
                OrderLine(order=order, product=product, quantity=row.quantity, unit_price=row.unit_price)
            )
            continue
        unit_price = row.unit_price if row.unit_price is not None else line.unit_price
        if (line.quantity, line.unit_price) != (row.quantity, unit_price):
            line.quantity, line.unit_price = row.quantity, unit_price
            changed.append(line)
    for batch in _chunks(new):
        OrderLine.objects.bulk_create(batch)
        if progress is not None:
            progress(len(batch))
    OrderLine.objects.bulk_update(changed, ["quantity", "unit_price"], batch_size=LOOKUP_CHUNK)
    if progress is not None:
        progress(len(rows) - len(new))
    tally.created, tally.updated = len(new), len(changed)


def import_orders(rows: Sequence[OrderRow], *, progress: Progress | None = None) -> ImportSummary:
    """Upsert checked rows in one transaction; raises ``ImportRefused`` (nothing written) on a conflict.

    ``progress`` is called with the number of rows saved, ``len(rows)`` in all.
    """
    summary = ImportSummary(
        rows=len(rows), customers=Tally(), products=Tally(), orders=Tally(), lines=Tally()
    )
    try:
        with transaction.atomic():
            existing_orders = _orders_by_number({row.order_number for row in rows})
            existing_products = _products_by_sku({row.sku for row in rows})
            problems = _ownership_problems(rows, existing_orders)
            existing_lines = _lines_by_item(order.pk for order in existing_orders.values())
            problems += _quantity_problems(rows, existing_orders, existing_products, existing_lines)
            if problems:
                raise ImportRefused(problems)
            customers = _save_customers(
                rows, _customers_by_email({row.email for row in rows}), summary.customers
            )
            products = _save_products(rows, existing_products, summary.products)
            orders = _save_orders(rows, existing_orders, customers, summary.orders)
            _save_lines(rows, orders, products, existing_lines, summary.lines, progress)
    except IntegrityError as error:
        # Only a concurrent import of the same orders gets here: every key was checked above.
        raise ImportRefused(
            [
                RowProblem(
                    None, "file", f"another change to the same records got in first; run it again ({error})"
                )
            ]
        ) from error
    return summary
