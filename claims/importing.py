"""Orders in: read a shop's CSV or JSON export as a stream, check every row, upsert it all in one transaction.

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

import codecs
import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
QUANTITY_MAX = 1_000_000  # far above any order; well inside the database's integer
# A longer value is refused by its own check (names hold 200 characters at most).
MAX_CSV_FIELD_CHARS = 1_000_000
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SHOWN_CHARS = 40
SNIFF_BYTES = 4096
# Rows upserted together; the whole file is still one transaction.
WRITE_BATCH_ROWS = 2000
# A file with more problems than this is reported by its first ones and a count.
MAX_PROBLEMS = 1000

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
        """What ``manage.py import_orders`` tells staff, in the active language."""
        parts = [
            _("%(records)s %(created)d created, %(updated)d updated")
            % {"records": records, "created": tally.created, "updated": tally.updated}
            for records, tally in (
                (_("customers"), self.customers),
                (_("products"), self.products),
                (_("orders"), self.orders),
                (_("order lines"), self.lines),
            )
        ]
        return ngettext("%(rows)d row: %(parts)s.", "%(rows)d rows: %(parts)s.", self.rows) % {
            "rows": self.rows,
            "parts": "; ".join(parts),
        }


# --- Reading --------------------------------------------------------------------


def read_order_file(path: Path) -> Iterator[SourceRow | RowProblem]:
    """The file's records one at a time, and a problem for each that cannot be read as a record.

    JSON when the file is named ``*.json`` or starts with ``[``, CSV otherwise.
    A CSV file is read a line at a time; a JSON file is decoded one object at
    a time. A problem with the whole file raises ``ImportRefused``.
    """
    try:
        file = path.open("rb")
    except OSError as error:
        raise ImportRefused([RowProblem(None, "file", f"cannot be read ({error.strerror})")]) from error
    with file:
        start = file.read(SNIFF_BYTES).removeprefix(codecs.BOM_UTF8).lstrip()
        if not start and file.read(1) == b"":
            raise ImportRefused([RowProblem(None, "file", "the file is empty")])
        file.seek(0)
        if path.suffix.lower() == ".json" or start.startswith(b"["):
            yield from _read_json(_decoded(file.read(), line_offset=0))
        else:
            yield from _read_csv(_text_lines(file))


def estimated_rows(path: Path) -> int:
    """About how many records the file holds, counted without decoding it (for a progress bar)."""
    marker = b"{" if path.suffix.lower() == ".json" else b"\n"
    try:
        with path.open("rb") as file:
            return sum(chunk.count(marker) for chunk in iter(lambda: file.read(1 << 20), b""))
    except OSError:
        return 0


def _not_utf8(line: int, byte: int) -> ImportRefused:
    return ImportRefused(
        [RowProblem(line, "file", f"not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8")]
    )


def _decoded(raw: bytes, *, line_offset: int) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = line_offset + raw[: error.start].count(b"\n") + 1
        raise _not_utf8(line, raw[error.start]) from error


def _text_lines(file: BinaryIO) -> Iterator[str]:
    """The file's lines as text; a multi-byte character never spans a line break, so each decodes alone."""
    for number, raw in enumerate(file, start=1):
        yield _decoded(raw, line_offset=number - 1) if number == 1 else _line_text(raw, number)


def _line_text(raw: bytes, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _not_utf8(number, raw[error.start]) from error


def _header_problems(columns: Sequence[str], *, line: int | None) -> list[RowProblem]:
    problems = [
        RowProblem(line, "header", f"missing column “{name}”")
        for name in REQUIRED_COLUMNS
        if name not in columns
    ]
    problems += [
        RowProblem(line, "header", f"unknown column “{_shown(name)}”")
        for name in dict.fromkeys(columns)
        if name not in KNOWN_COLUMNS
    ]
    problems += [
        RowProblem(line, "header", f"column “{name}” appears twice")
        for name in sorted({name for name in columns if columns.count(name) > 1})
    ]
    return problems


def _read_csv(lines: Iterator[str]) -> Iterator[SourceRow | RowProblem]:
    reader = csv.reader(lines)
    previous_limit = csv.field_size_limit(MAX_CSV_FIELD_CHARS)
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        problems = _header_problems(header, line=1)
        if problems:
            raise ImportRefused(problems)
        any_rows = False
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                yield RowProblem(reader.line_num, "row", f"cannot be read as CSV ({error})")
                continue
            if not any(cell.strip() for cell in cells):
                continue
            any_rows = True
            if len(cells) != len(header):
                yield RowProblem(
                    reader.line_num, "row", f"has {len(cells)} values where the header has {len(header)}"
                )
                continue
            yield SourceRow(reader.line_num, dict(zip(header, cells, strict=True)))
    finally:
        csv.field_size_limit(previous_limit)
    if not any_rows:
        raise ImportRefused([RowProblem(None, "file", "the file has a header but no rows")])


def _json_text(value: Any) -> str | None:
    """A JSON value as the text a CSV cell would hold; None for nested values."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: True is an int in Python
        return None
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _json_records(text: str) -> Iterator[tuple[int, Any]]:
    """(position, value) for each element of a JSON array, decoded one at a time."""
    decoder = json.JSONDecoder()
    space = re.compile(r"\s*")

    def skip(at: int) -> int:
        match = space.match(text, at)
        return match.end() if match else at

    def malformed(reason: str, at: int) -> ImportRefused:
        line = text.count("\n", 0, at) + 1
        return ImportRefused([RowProblem(None, "file", f"not valid JSON ({reason} at line {line})")])

    at = skip(0)
    if not text.startswith("[", at):
        raise ImportRefused([RowProblem(None, "file", "expected a JSON array of objects")])
    at = skip(at + 1)
    position = 0
    while not text.startswith("]", at):
        position += 1
        try:
            value, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError as error:
            raise malformed(error.msg, error.pos) from error
        except RecursionError:
            yield position, RecursionError
            at = _end_of_value(text, at)
        else:
            yield position, value
        at = skip(at)
        if text.startswith(",", at):
            at = skip(at + 1)
        elif not text.startswith("]", at):
            raise malformed("Expecting ',' delimiter", at)
    if position == 0:
        raise ImportRefused([RowProblem(None, "file", "the file is empty")])


def _end_of_value(text: str, at: int) -> int:
    """Where the nested value starting at ``at`` ends, found by counting brackets outside strings."""
    depth, in_string, escaped = 0, False, False
    for index in range(at, len(text)):
        character = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
        elif character in "]}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def _read_json(text: str) -> Iterator[SourceRow | RowProblem]:
    for position, record in _json_records(text):
        if record is RecursionError:
            yield RowProblem(position, "row", "nested too deeply")
            continue
        if not isinstance(record, dict):
            yield RowProblem(position, "row", "expected an object")
            continue
        columns = [str(name).strip().lower() for name in record]
        problems = _header_problems(columns, line=position)
        values: dict[str, str] = {}
        for name, value in zip(columns, record.values(), strict=True):
            as_text = _json_text(value)
            if as_text is None:
                problems.append(RowProblem(position, _shown(name), "must be text or a number"))
            else:
                values[name] = as_text
        yield from problems
        if not problems:
            yield SourceRow(position, values)


# --- Checking -------------------------------------------------------------------


def _shown(text: str) -> str:
    """A value as quoted in a problem: short enough for one line of a terminal."""
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


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
        raise ValueError(f"not a valid email address: “{_shown(values['email'].strip())}”") from error
    return email


def _check_quantity(values: dict[str, str]) -> int:
    text = values["quantity"].strip()
    if not re.fullmatch(r"[+-]?\d{1,30}", text):
        raise ValueError(f"not a whole number: “{_shown(text)}”" if text else "required")
    quantity = int(text)
    if quantity < 1:
        raise ValueError(f"must be at least 1, not {quantity}")
    if quantity > QUANTITY_MAX:
        raise ValueError(f"must be at most {QUANTITY_MAX}, not {quantity}")
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
        raise ValueError(f"not a date in the form YYYY-MM-DD: “{_shown(text)}”") from error
    if day > today:
        raise ValueError(f"{day.isoformat()} is in the future")
    return day


def _check_unit_price(values: dict[str, str]) -> Decimal | None:
    text = values.get("unit_price", "").strip()
    if not text:
        return None
    shown = _shown(text)
    try:
        price = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(f"not a number: “{shown}”") from error
    if not price.is_finite() or price < 0:
        raise ValueError(f"must be zero or more: “{shown}”")
    # Before quantizing: ``quantize`` itself fails on a number like 1e400.
    if price > UNIT_PRICE_MAX:
        raise ValueError(f"too large: “{shown}”")
    if price != price.quantize(Decimal("0.01")):
        raise ValueError(f"more than 2 decimal places: “{shown}”")
    return price.quantize(Decimal("0.01"))


def check_row(source: SourceRow, *, today: date) -> tuple[dict[str, Any], list[RowProblem]]:
    """One row on its own: the fields that pass their check, and a problem for each that does not."""
    values = source.values
    checked: dict[str, Any] = {}
    # PostgreSQL refuses a NUL in text; no control character belongs in an order export.
    tainted = {name for name, value in values.items() if CONTROL_CHARACTER.search(value)}
    problems = [RowProblem(source.line, name, "contains a control character") for name in sorted(tainted)]
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
        if name in tainted:
            continue
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


UNCHECKED = object()


class Consistency:
    """Rows that contradict an earlier row of the same file about the same order or product.

    Only fields that passed their own check are compared, so a row with a bad
    date still has its conflicting email reported in the same run. What it
    remembers is a few values per order, product and line, not the rows.
    """

    def __init__(self) -> None:
        # Per order: its first line, then its email, purchase and delivery dates (``UNCHECKED`` if bad there).
        self.first_of_order: dict[str, tuple[Any, ...]] = {}
        self.first_of_product: dict[str, tuple[int, str]] = {}
        self.line_of_item: dict[tuple[str, str], int] = {}

    def problems(self, line: int, fields: dict[str, Any]) -> list[RowProblem]:
        problems: list[RowProblem] = []
        number, sku = fields.get("order_number"), fields.get("sku")
        if number:
            names = ("email", "purchased_on", "delivered_on")
            first_line, *first = self.first_of_order.setdefault(
                number, (line, *(fields.get(name, UNCHECKED) for name in names))
            )
            for name, first_value in zip(names, first, strict=True):
                if name in fields and first_value is not UNCHECKED and fields[name] != first_value:
                    problems.append(
                        RowProblem(
                            line, name, f"order {number} has “{first_value or ''}” on line {first_line}"
                        )
                    )
        if sku and "product_name" in fields:
            named_line, name = self.first_of_product.setdefault(sku, (line, fields["product_name"]))
            if fields["product_name"] != name:
                problems.append(
                    RowProblem(line, "product_name", f"SKU {sku} is named “{name}” on line {named_line}")
                )
        if number and sku:
            earlier = self.line_of_item.setdefault((number, sku), line)
            if earlier != line:
                problems.append(RowProblem(line, "sku", f"order {number} lists SKU {sku} on line {earlier}"))
        return problems


# --- Writing --------------------------------------------------------------------


def _chunks(keys: Iterable[Keyed]) -> Iterator[list[Keyed]]:
    pending = list(keys)
    for start in range(0, len(pending), LOOKUP_CHUNK):
        yield pending[start : start + LOOKUP_CHUNK]


def _customers_by_email(emails: Iterable[str]) -> dict[str, User]:
    return {
        user.email: user
        for chunk in _chunks(emails)
        for user in User.objects.filter(email__in=chunk).only(
            "pk", "email", "full_name", "is_staff", "is_superuser"
        )
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
    tally.created += len(new)
    tally.updated += len(changed)
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
    tally.created += len(new)
    tally.updated += len(changed)
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
    tally.created += len(new)
    tally.updated += len(changed)
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
    tally.created += len(new)
    tally.updated += len(changed)


def _staff_problems(rows: Sequence[OrderRow], customers: dict[str, User]) -> list[RowProblem]:
    """An order is a customer's: a staff account never becomes one by an import."""
    return [
        RowProblem(row.line, "email", f"{row.email} is a staff account; orders belong to customers")
        for row in rows
        if row.email in customers and (customers[row.email].is_staff or customers[row.email].is_superuser)
    ]


def _write_batch(rows: Sequence[OrderRow], summary: ImportSummary, *, write: bool) -> list[RowProblem]:
    """Check a batch of rows against the database and, if ``write`` and it passes, upsert it.

    Runs inside the import's transaction, so it sees the batches written before it.
    """
    existing_orders = _orders_by_number({row.order_number for row in rows})
    existing_products = _products_by_sku({row.sku for row in rows})
    existing_customers = _customers_by_email({row.email for row in rows})
    problems = _ownership_problems(rows, existing_orders)
    problems += _staff_problems(rows, existing_customers)
    existing_lines = _lines_by_item(order.pk for order in existing_orders.values())
    problems += _quantity_problems(rows, existing_orders, existing_products, existing_lines)
    if problems or not write:
        return problems
    customers = _save_customers(rows, existing_customers, summary.customers)
    products = _save_products(rows, existing_products, summary.products)
    orders = _save_orders(rows, existing_orders, customers, summary.orders)
    _save_lines(rows, orders, products, existing_lines, summary.lines, None)
    return []


def import_order_file(path: Path, *, today: date, progress: Progress | None = None) -> ImportSummary:
    """Check and upsert a whole file in one transaction, reading it as a stream; all or nothing.

    See ``import_order_rows``, which does the work on the file's records.
    """
    return import_order_rows(read_order_file(path), today=today, progress=progress)


def import_order_rows(
    records: Iterable[SourceRow | RowProblem], *, today: date, progress: Progress | None = None
) -> ImportSummary:
    """Check and upsert records (a file's, or an API request's) in one transaction; all or nothing.

    Rows are checked as they are read and written ``WRITE_BATCH_ROWS`` at a
    time, so memory does not grow with the file (only a few values per order
    and product are remembered, to find rows that contradict each other).
    After the first problem nothing more is written, but every row is still
    checked; ``ImportRefused`` then lists every problem (up to
    ``MAX_PROBLEMS``) and the transaction is rolled back. ``progress`` is
    called with the number of rows read.
    """
    summary = ImportSummary(rows=0, customers=Tally(), products=Tally(), orders=Tally(), lines=Tally())
    problems: list[RowProblem] = []
    problem_count = 0
    consistency = Consistency()
    batch: list[OrderRow] = []

    def found(new_problems: Sequence[RowProblem]) -> None:
        nonlocal problem_count
        problem_count += len(new_problems)
        problems.extend(new_problems[: max(0, MAX_PROBLEMS - len(problems))])

    def flush() -> None:
        if batch:
            found(_write_batch(batch, summary, write=problem_count == 0))
            batch.clear()

    try:
        with transaction.atomic():
            try:
                for record in records:
                    if isinstance(record, RowProblem):
                        found([record])
                        continue
                    summary.rows += 1
                    fields, row_problems = check_row(record, today=today)
                    found(row_problems + consistency.problems(record.line, fields))
                    if not row_problems:
                        batch.append(OrderRow(line=record.line, **fields))
                    if len(batch) >= WRITE_BATCH_ROWS:
                        flush()
                    if progress is not None:
                        progress(1)
            except ImportRefused as refused:  # the rest of the file cannot be read
                found(refused.problems)
            flush()
            if problem_count:
                raise ImportRefused(_reported(problems, problem_count))
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


def _reported(problems: list[RowProblem], count: int) -> list[RowProblem]:
    ordered = sorted(problems, key=lambda problem: problem.line or 0)
    if count > len(problems):
        ordered.append(RowProblem(None, "file", f"{count - len(problems)} more problem(s) not listed"))
    return ordered
