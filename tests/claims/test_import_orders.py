"""``manage.py import_orders``: upserts a whole file or nothing, and says what is wrong with it."""

import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from claims.management.commands import import_orders as command_module
from claims.models import Order, OrderLine, Product, User
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, ProductFactory, make_claim

pytestmark = pytest.mark.django_db

HEADER = "order_number,email,customer_name,sku,product_name,quantity,purchased_on,delivered_on,unit_price"
GOOD_ROWS = [
    "ASM-1001,anna@example.com,Anna Tran,DIO-001,Saigon street corner,1,2025-11-03,2025-11-06,1250000",
    "ASM-1001,anna@example.com,Anna Tran,DIO-002,Rainy alley,2,2025-11-03,2025-11-06,890000.50",
    "ASM-1002,binh@example.com,Binh Le,DIO-001,Saigon street corner,1,2025-12-01,,",
]


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def write(tmp_path: Path, content: str | bytes, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def run_import(path: Path) -> str:
    out = io.StringIO()
    call_command("import_orders", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused_import(path: Path) -> list[str]:
    """Run an import that must fail; returns the lines it printed to stderr."""
    err = io.StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("import_orders", str(path), stdout=io.StringIO(), stderr=err)
    assert refusal.value.returncode == 1
    assert "nothing was imported" in str(refusal.value)
    return err.getvalue().splitlines()


def database_state() -> tuple[list[tuple], ...]:
    """Every imported value, to prove a run changed nothing at all."""
    return (
        list(User.objects.order_by("pk").values_list("email", "full_name")),
        list(Product.objects.order_by("pk").values_list("sku", "name")),
        list(
            Order.objects.order_by("pk").values_list(
                "number", "customer__email", "purchased_on", "delivered_on"
            )
        ),
        list(
            OrderLine.objects.order_by("pk").values_list(
                "order__number", "product__sku", "quantity", "unit_price"
            )
        ),
    )


# --- Good files -------------------------------------------------------------------


def test_import_creates_customers_products_orders_and_lines(tmp_path):
    output = run_import(write(tmp_path, csv_text(*GOOD_ROWS)))

    assert "3 rows: customers 2 created, 0 updated; products 2 created, 0 updated" in output
    assert "orders 2 created, 0 updated; order lines 3 created, 0 updated." in output
    anna = User.objects.get(email="anna@example.com")
    assert anna.full_name == "Anna Tran"
    assert not anna.has_usable_password()  # customers sign in by emailed link
    assert not anna.is_staff
    order = Order.objects.get(number="ASM-1001")
    assert (order.customer, order.purchased_on, order.delivered_on) == (
        anna,
        date(2025, 11, 3),
        date(2025, 11, 6),
    )
    assert sorted(order.lines.values_list("product__sku", "quantity", "unit_price")) == [
        ("DIO-001", 1, Decimal("1250000.00")),
        ("DIO-002", 2, Decimal("890000.50")),
    ]
    undelivered = Order.objects.get(number="ASM-1002")
    assert undelivered.delivered_on is None
    assert undelivered.lines.get().unit_price is None


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = write(tmp_path, csv_text(*GOOD_ROWS))
    run_import(path)
    before = database_state()

    output = run_import(path)

    assert database_state() == before
    assert (
        "customers 0 created, 0 updated; products 0 created, 0 updated; orders 0 created, 0 updated; "
        in output
    )
    assert "order lines 0 created, 0 updated." in output


def test_a_later_file_fills_in_the_delivery_date(tmp_path):
    run_import(write(tmp_path, csv_text(GOOD_ROWS[2])))
    assert Order.objects.get(number="ASM-1002").delivered_on is None

    delivered = GOOD_ROWS[2].replace("2025-12-01,,", "2025-12-01,2025-12-04,")
    output = run_import(write(tmp_path, csv_text(delivered), "later.csv"))

    assert Order.objects.get(number="ASM-1002").delivered_on == date(2025, 12, 4)
    assert "orders 0 created, 1 updated" in output


def test_an_empty_delivery_date_or_price_never_clears_a_recorded_one(tmp_path):
    run_import(write(tmp_path, csv_text(*GOOD_ROWS[:2])))
    before = database_state()

    without = [
        row.replace("2025-11-06,1250000", ",").replace("2025-11-06,890000.50", ",") for row in GOOD_ROWS[:2]
    ]
    run_import(write(tmp_path, csv_text(*without), "older-export.csv"))

    assert database_state() == before


def test_changed_names_quantities_and_prices_are_updated(tmp_path):
    run_import(write(tmp_path, csv_text(GOOD_ROWS[0])))
    changed = (
        "ASM-1001,ANNA@example.com ,Anna Tran Thi,DIO-001,Saigon corner (v2),3,2025-11-03,2025-11-06,1300000"
    )

    output = run_import(write(tmp_path, csv_text(changed), "changed.csv"))

    assert "customers 0 created, 1 updated; products 0 created, 1 updated" in output
    assert "order lines 0 created, 1 updated" in output
    line = OrderLine.objects.select_related("order__customer", "product").get()
    assert line.order.customer.full_name == "Anna Tran Thi"
    assert line.product.name == "Saigon corner (v2)"
    assert (line.quantity, line.unit_price) == (3, Decimal("1300000.00"))


def test_email_matches_an_existing_customer_trimmed_and_case_insensitively(tmp_path):
    existing = CustomerFactory(email="anna@example.com", full_name="Anna")
    row = GOOD_ROWS[0].replace("anna@example.com", "  Anna@Example.COM ")

    run_import(write(tmp_path, csv_text(row)))

    assert User.objects.count() == 1
    assert Order.objects.get().customer == existing


def test_a_utf8_bom_is_accepted(tmp_path):
    path = write(
        tmp_path,
        "\ufeff" + csv_text("ASM-1003,chi@example.com,Nguyễn Thị Chi,DIO-003,Tết market,1,2025-10-01,,"),
    )

    run_import(path)

    assert User.objects.get().full_name == "Nguyễn Thị Chi"
    assert Product.objects.get().name == "Tết market"


def test_json_array_of_flat_objects(tmp_path):
    records = [
        {
            "order_number": "ASM-2001",
            "email": "dung@example.com",
            "customer_name": "Dung Pham",
            "sku": "DIO-010",
            "product_name": "Harbour at dusk",
            "quantity": 2,
            "purchased_on": "2025-09-01",
            "delivered_on": None,
            "unit_price": 450000,
        },
        {
            "order_number": "ASM-2002",
            "email": "dung@example.com",
            "customer_name": "Dung Pham",
            "sku": "DIO-010",
            "product_name": "Harbour at dusk",
            "quantity": "1",
            "purchased_on": "2025-09-02",
            "delivered_on": "2025-09-05",
        },
    ]
    path = write(tmp_path, "\ufeff" + json.dumps(records, ensure_ascii=False), "orders.json")

    output = run_import(path)

    assert "2 rows" in output
    assert OrderLine.objects.get(order__number="ASM-2001").quantity == 2
    assert Order.objects.get(number="ASM-2002").delivered_on == date(2025, 9, 5)


def test_large_files_show_a_progress_bar_on_stderr(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(command_module, "LARGE_FILE_ROWS", 2)

    run_import(write(tmp_path, csv_text(*GOOD_ROWS)))

    assert "row" in capsys.readouterr().err


# --- Bad files: every problem reported, exit 1, nothing changed ----------------------

BAD_FILES = {
    "missing column": (
        csv_text(
            "ASM-1,e@example.com,E,S-1,P,2025-01-01,",
            header="order_number,email,customer_name,sku,product_name,purchased_on,delivered_on",
        ),
        ["line 1: header: missing column “quantity”"],
    ),
    "unknown column": (
        csv_text(
            "ASM-1,e@example.com,E,S-1,P,1,2025-01-01,,9", header=HEADER.replace("unit_price", "unit_prce")
        ),
        ["line 1: header: unknown column “unit_prce”"],
    ),
    "bad date": (
        csv_text("ASM-1,e@example.com,E,S-1,P,1,2025-02-30,,"),
        ["line 2: purchased_on: not a date in the form YYYY-MM-DD: “2025-02-30”"],
    ),
    "date not ISO": (
        csv_text("ASM-1,e@example.com,E,S-1,P,1,01/02/2025,,"),
        ["line 2: purchased_on: not a date in the form YYYY-MM-DD: “01/02/2025”"],
    ),
    "negative quantity": (
        csv_text("ASM-1,e@example.com,E,S-1,P,-2,2025-01-01,,"),
        ["line 2: quantity: must be at least 1, not -2"],
    ),
    "zero quantity": (
        csv_text("ASM-1,e@example.com,E,S-1,P,0,2025-01-01,,"),
        ["line 2: quantity: must be at least 1, not 0"],
    ),
    "non-integer quantity": (
        csv_text("ASM-1,e@example.com,E,S-1,P,1.5,2025-01-01,,"),
        ["line 2: quantity: not a whole number: “1.5”"],
    ),
    "bad email": (
        csv_text("ASM-1,anna@,E,S-1,P,1,2025-01-01,,"),
        ["line 2: email: not a valid email address: “anna@”"],
    ),
    "empty file": ("", ["file: the file is empty"]),
    "header only": (csv_text(), ["file: the file has a header but no rows"]),
    "a good order beside a bad one": (
        csv_text("ASM-1,e@example.com,E,S-1,P,1,2025-01-01,,", "ASM-2,f@example.com,F,S-2,Q,x,2025-01-01,,"),
        ["line 3: quantity: not a whole number: “x”"],
    ),
    "one order number, two emails": (
        csv_text("ASM-1,e@example.com,E,S-1,P,1,2025-01-01,,", "ASM-1,f@example.com,F,S-2,Q,1,2025-01-01,,"),
        ["line 3: email: order ASM-1 has “e@example.com” on line 2"],
    ),
    "a conflict reported beside the row's own problems": (
        csv_text("ASM-1,e@example.com,E,S-1,P,1,2025-01-01,,", "ASM-1,f@example.com,F,S-2,Q,-1,2025-02-30,,"),
        [
            "line 3: email: order ASM-1 has “e@example.com” on line 2",
            "line 3: quantity: must be at least 1, not -1",
            "line 3: purchased_on: not a date in the form YYYY-MM-DD: “2025-02-30”",
        ],
    ),
    "delivered before purchased": (
        csv_text("ASM-1,e@example.com,E,S-1,P,1,2025-01-05,2025-01-01,"),
        ["line 2: delivered_on: 2025-01-01 is before the purchase date 2025-01-05"],
    ),
    "unit price not a number": (
        csv_text("ASM-1,e@example.com,E,S-1,P,1,2025-01-01,,abc"),
        ["line 2: unit_price: not a number: “abc”"],
    ),
    "negative unit price": (
        csv_text("ASM-1,e@example.com,E,S-1,P,1,2025-01-01,,-5"),
        ["line 2: unit_price: must be zero or more: “-5”"],
    ),
    "unit price with fractions of a cent": (
        csv_text("ASM-1,e@example.com,E,S-1,P,1,2025-01-01,,1.234"),
        ["line 2: unit_price: more than 2 decimal places: “1.234”"],
    ),
    "a product listed twice in one order": (
        csv_text("ASM-1,e@example.com,E,S-1,P,1,2025-01-01,,", "ASM-1,e@example.com,E,S-1,P,2,2025-01-01,,"),
        ["line 3: sku: order ASM-1 lists SKU S-1 on line 2"],
    ),
    "one SKU, two names": (
        csv_text(
            "ASM-1,e@example.com,E,S-1,P,1,2025-01-01,,", "ASM-2,e@example.com,E,S-1,Other,1,2025-01-01,,"
        ),
        ["line 3: product_name: SKU S-1 is named “P” on line 2"],
    ),
    "a row with too few values": (
        csv_text("ASM-1,e@example.com,E,S-1,P,1,2025-01-01"),
        ["line 2: row: has 7 values where the header has 9"],
    ),
    "missing required values": (
        csv_text(",,E,,,,,,"),
        [
            "line 2: order_number: required",
            "line 2: email: required",
            "line 2: sku: required",
            "line 2: product_name: required",
            "line 2: quantity: required",
            "line 2: purchased_on: required",
        ],
    ),
    "every bad row is reported": (
        csv_text(
            "ASM-1,e@example.com,E,S-1,P,0,2025-01-01,,",
            "ASM-2,f@example.com,F,S-2,Q,1,2025-01-01,,",
            "ASM-3,bad-email,G,S-3,R,1,2025-13-01,,",
        ),
        [
            "line 2: quantity: must be at least 1, not 0",
            "line 4: email: not a valid email address: “bad-email”",
            "line 4: purchased_on: not a date in the form YYYY-MM-DD: “2025-13-01”",
        ],
    ),
    "json that is not an array": ('{"order_number": "ASM-1"}', ["file: expected a JSON array of objects"]),
    "json with a nested value, lines are array positions": (
        json.dumps(
            [
                dict.fromkeys(HEADER.split(","), "")
                | {
                    "order_number": "ASM-1",
                    "email": "e@example.com",
                    "sku": "S-1",
                    "product_name": "P",
                    "quantity": 1,
                    "purchased_on": "2025-01-01",
                },
                {"order_number": "ASM-2", "email": ["e@example.com"]},
            ]
        ),
        ["line 2: email: must be text or a number", "line 2: header: missing column “sku”"],
    ),
}


@pytest.mark.parametrize(("content", "expected"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_imports_nothing_and_says_why(tmp_path, content, expected):
    run_import(write(tmp_path, csv_text(*GOOD_ROWS), "earlier.csv"))
    before = database_state()
    name = "orders.json" if content.lstrip().startswith(("[", "{")) else "orders.csv"

    printed = refused_import(write(tmp_path, content, name))

    for message in expected:
        assert message in printed
    assert database_state() == before


def test_bytes_that_are_not_utf8_are_refused_with_their_line(tmp_path):
    content = csv_text(
        "ASM-1,e@example.com,E,S-1,P,1,2025-01-01,,"
    ).encode() + "ASM-2,f@example.com,Zoé,S-2,Q,1,2025-01-01,,\n".encode("latin-1")

    printed = refused_import(write(tmp_path, content))

    assert printed == ["line 3: file: not UTF-8 text (byte 0xe9); save the file as UTF-8"]
    assert Order.objects.count() == 0


def test_dates_in_the_future_are_refused(tmp_path):
    tomorrow = timezone.localdate() + timedelta(days=1)

    printed = refused_import(write(tmp_path, csv_text(f"ASM-1,e@example.com,E,S-1,P,1,{tomorrow},,")))

    assert printed == [f"line 2: purchased_on: {tomorrow.isoformat()} is in the future"]


def test_an_order_never_changes_customer(tmp_path):
    OrderFactory(number="ASM-1001", customer=CustomerFactory(email="someone@example.com"))
    before = database_state()

    printed = refused_import(write(tmp_path, csv_text(GOOD_ROWS[0])))

    assert printed == ["line 2: email: order ASM-1001 belongs to another customer (someone@example.com)"]
    assert database_state() == before


def test_a_line_quantity_cannot_drop_below_what_claims_cover(tmp_path):
    line = cast(
        OrderLine,
        OrderLineFactory(
            order=OrderFactory(number="ASM-1001", customer=CustomerFactory(email="anna@example.com")),
            product=ProductFactory(sku="DIO-001", name="Saigon street corner"),
            quantity=3,
        ),
    )
    make_claim(line=line, quantity=2)
    before = database_state()
    reduced = f"ASM-1001,anna@example.com,Anna,DIO-001,Saigon street corner,1,{line.order.purchased_on},,"

    printed = refused_import(write(tmp_path, csv_text(reduced)))

    assert printed == ["line 2: quantity: 2 already claimed on this line; cannot be 1"]
    assert database_state() == before


def test_a_missing_file_is_refused(tmp_path):
    printed = refused_import(tmp_path / "nowhere.csv")

    assert printed == ["file: cannot be read (No such file or directory)"]


def test_the_command_exits_with_status_1(tmp_path):
    """Through ``manage.py`` itself: a refused file is exit status 1, the problem on stderr."""
    empty = write(tmp_path, "")
    environment = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }

    finished = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "import_orders", str(empty)],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.returncode == 1
    assert "file: the file is empty" in finished.stderr
    assert "nothing was imported" in finished.stderr


# --- Hostile files: a row error each, never a traceback (issue 11) -----------------

GOOD_VALUES = GOOD_ROWS[0].split(",")
COLUMNS = HEADER.split(",")


def row_with(**values: str) -> str:
    cells = dict(zip(COLUMNS, GOOD_VALUES, strict=True)) | values
    return ",".join(cells[name] for name in COLUMNS)


HOSTILE_ROWS = {
    "a NUL byte in a name": (
        row_with(customer_name="Anna\x00Tran"),
        "line 2: customer_name: contains a control character",
    ),
    "a NUL byte in an order number": (
        row_with(order_number="ASM\x00-1"),
        "line 2: order_number: contains a control character",
    ),
    "a quantity of 99,999,999,999": (
        row_with(quantity="99999999999"),
        "line 2: quantity: must be at most 1000000, not 99999999999",
    ),
    "a 200,000-character name": (
        row_with(customer_name="A" * 200_000),
        "line 2: customer_name: longer than 200 characters",
    ),
    "a 200,000-character email": (
        row_with(email="a" * 200_000 + "@example.com"),
        "line 2: email: not a valid email address: “aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…”",
    ),
    "a price of 1e400": (row_with(unit_price="1e400"), "line 2: unit_price: too large: “1e400”"),
    "a price of NaN": (row_with(unit_price="NaN"), "line 2: unit_price: must be zero or more: “NaN”"),
}


@pytest.mark.parametrize(("row", "expected"), HOSTILE_ROWS.values(), ids=HOSTILE_ROWS.keys())
def test_a_hostile_value_is_a_row_error_and_imports_nothing(tmp_path, row, expected):
    run_import(write(tmp_path, csv_text(GOOD_ROWS[2]), "earlier.csv"))
    before = database_state()

    printed = refused_import(write(tmp_path, csv_text(GOOD_ROWS[1], row)))

    assert expected.replace("line 2", "line 3") in printed
    assert database_state() == before


def test_deeply_nested_json_is_a_row_error(tmp_path):
    good = dict(zip(COLUMNS, GOOD_VALUES, strict=True))
    nested = "[" * 100_000 + "]" * 100_000
    content = f"[{json.dumps(good)}, {{{json.dumps('email')}: {nested}}}]"

    printed = refused_import(write(tmp_path, content, "orders.json"))

    assert "line 2: row: nested too deeply" in printed
    assert Order.objects.count() == 0


def test_a_price_of_1e400_in_json_is_a_row_error(tmp_path):
    record = dict(zip(COLUMNS, GOOD_VALUES, strict=True))
    content = json.dumps([record]).replace('"1250000"', "1e400")

    printed = refused_import(write(tmp_path, content, "orders.json"))

    assert "line 1: unit_price: must be zero or more: “inf”" in printed
    assert Order.objects.count() == 0


def test_an_order_for_a_staff_account_is_refused_and_not_attached_to_it(tmp_path):
    staff = cast(User, CustomerFactory(email="anna@example.com", is_staff=True))
    before = database_state()

    printed = refused_import(write(tmp_path, csv_text(GOOD_ROWS[0])))

    assert printed == ["line 2: email: anna@example.com is a staff account; orders belong to customers"]
    assert database_state() == before
    assert not Order.objects.filter(customer=staff).exists()


def test_a_file_is_read_as_a_stream(tmp_path, monkeypatch):
    """The file is never read whole: rows are checked and written a batch at a time."""
    from claims import importing

    monkeypatch.setattr(importing, "WRITE_BATCH_ROWS", 2)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read the whole file"))
    monkeypatch.setattr(Path, "read_text", lambda self, **kwargs: pytest.fail("read the whole file"))
    rows = [
        f"ASM-{number},c{number}@example.com,C,DIO-{number % 3},Model {number % 3},1,2025-01-01,,"
        for number in range(7)
    ]

    output = run_import(write(tmp_path, csv_text(*rows)))

    assert "7 rows: customers 7 created" in output
    assert OrderLine.objects.count() == 7


def test_an_order_delivered_on_one_line_and_not_on_another_is_refused(tmp_path):
    printed = refused_import(
        write(
            tmp_path,
            csv_text(
                GOOD_ROWS[2],
                GOOD_ROWS[2].replace("DIO-001", "DIO-009").replace("2025-12-01,,", "2025-12-01,2025-12-03,"),
            ),
        )
    )

    assert printed == ["line 3: delivered_on: order ASM-1002 has “” on line 2"]
