"""``manage.py import_orders FILE``: upsert a shop's order export (see ``claims.importing``)."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from claims.importing import ImportRefused, estimated_rows, import_order_file

# Below this many rows the import is over before a bar would be read, unless someone is watching.
LARGE_FILE_ROWS = 2000


class Command(BaseCommand):
    help = (
        "Import orders from a CSV or JSON file (UTF-8): order_number, email, customer_name, sku, "
        "product_name, quantity, purchased_on, delivered_on and optional unit_price. The file is "
        "one transaction: a bad row imports nothing and exits 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv file with a header line, or a .json array")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            expected_rows = estimated_rows(file)
            show_progress = sys.stderr.isatty() or expected_rows >= LARGE_FILE_ROWS
            with tqdm(
                total=expected_rows, unit="row", file=sys.stderr, disable=not show_progress, leave=False
            ) as bar:
                summary = import_order_file(file, today=timezone.localdate(), progress=bar.update)
        except ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            found = ngettext(
                "%(file)s: %(count)d problem found; nothing was imported.",
                "%(file)s: %(count)d problems found; nothing was imported.",
                len(refused.problems),
            ) % {"file": file, "count": len(refused.problems)}
            raise CommandError(found, returncode=1) from refused
        self.stdout.write(
            self.style.SUCCESS(_("Imported %(file)s: %(summary)s") % {"file": file, "summary": summary})
        )
