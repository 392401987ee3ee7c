"""``manage.py seed_demo``: demo staff, customers, orders and claims (see ``claims.demo``); idempotent."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.demo import CUSTOMERS, ORDERS, STAFF, seed_demo


class Command(BaseCommand):
    help = "Create the demo data that is missing: staff for each role, customers, orders and claims."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            # The demo staff's passwords are published in the README: never on a real deployment.
            raise CommandError(
                "seed_demo creates accounts with published passwords; it runs only with debug on."
            )
        summary = seed_demo()
        self.stdout.write(self.style.SUCCESS(str(summary)))
        self.stdout.write("Demo staff (admin at /admin/; demo passwords, never for production):")
        for member in STAFF:
            self.stdout.write(f"  {member.role:<16} {member.email:<24} {member.password}")
        self.stdout.write("Demo customers (sign in on the portal with an emailed link):")
        for email in CUSTOMERS:
            numbers = ", ".join(order.number for order in ORDERS if order.email == email)
            self.stdout.write(f"  {email:<20} {numbers}")
