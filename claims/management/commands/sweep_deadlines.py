"""``python manage.py sweep_deadlines [--now ISO-DATETIME]``: the periodic sweep, run by hand."""

from argparse import ArgumentParser, ArgumentTypeError
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from claims.deadlines import sweep_deadlines


def aware_datetime(value: str) -> datetime:
    """An ISO date-time; without an offset it is read in the configured time zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise ArgumentTypeError(f"not an ISO date-time: {value!r}") from error
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Send the RP4 / WP4 alerts and the reminders, and expire claims left waiting; safe to repeat."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--now",
            type=aware_datetime,
            default=None,
            help="act as if it were this moment (e.g. 2026-03-16T09:00); default: now",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = sweep_deadlines(now=options["now"] or timezone.now())
        self.stdout.write(str(report))
