"""The people and objects the security tests aim at, built on first use.

``World`` makes only what a test touches: the owner's claims in each status,
their photos, another customer, a staff member of each role (the groups of
migration 0003) and one without a role. ``snapshot`` captures everything a
refused request must leave untouched.
"""

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, cast

from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from claims.lifecycle import ClaimKind, Status
from claims.models import Claim, ClaimEvent, ClaimPhoto, Inspection, Message, Notification, OrderLine, User
from claims.photos import store_photo
from policies.models import ClosureDay, PolicyTerms
from policies.reasons import DefectCategory
from shop_api.models import ApiKey, OrderFileImport, WebhookDelivery, WebhookEndpoint
from tests.factories import CustomerFactory, OrderLineFactory, StaffFactory, make_claim
from tests.photos import make_photo
from tests.portal.images import upload

ANONYMOUS = "anonymous"
OWNER = "owner"
OTHER_CUSTOMER = "another customer"
CARE = "Care staff"
WAREHOUSE = "Warehouse staff"
MANAGER = "Care managers"
NO_ROLE = "staff without a role"
ACTORS = (ANONYMOUS, OWNER, OTHER_CUSTOMER, CARE, WAREHOUSE, MANAGER, NO_ROLE)
ROLES = (CARE, WAREHOUSE, MANAGER)


class World:
    @cached_property
    def owner(self) -> User:
        return cast(User, CustomerFactory(email="owner@example.com"))

    @cached_property
    def other_customer(self) -> User:
        return cast(User, CustomerFactory(email="someone.else@example.com"))

    def staff(self, role: str) -> User:
        slug = role.lower().replace(" ", "-")
        if role == NO_ROLE:
            return cast(User, StaffFactory(email=f"{slug}@asm.example", role=""))
        return cast(User, StaffFactory(email=f"{slug}@asm.example", role=role))

    @cached_property
    def superuser(self) -> User:
        return User.objects.create_superuser("root@asm.example", "root-password-1")

    def user(self, actor: str) -> User | None:
        if actor == ANONYMOUS:
            return None
        if actor == OWNER:
            return self.owner
        if actor == OTHER_CUSTOMER:
            return self.other_customer
        return self.staff(actor)

    def client(self, actor: str, **client_options: Any) -> Client:
        client = Client(**client_options)
        user = self.user(actor)
        if user is not None:
            client.force_login(user)
        return client

    # --- The owner's things ---------------------------------------------------------

    def line(self) -> OrderLine:
        """A fresh line of the owner's, delivered 3 days ago: returnable and under warranty."""
        return cast(OrderLine, OrderLineFactory(order__customer=self.owner))

    def claim(self, status: str = Status.SUBMITTED, *, kind: str = ClaimKind.RETURN) -> Claim:
        staff = self.staff(CARE)
        if kind == ClaimKind.WARRANTY:
            return make_claim(
                status,
                kind=kind,
                line=self.line(),
                staff=staff,
                photos=[make_photo(self.owner)],
                category=DefectCategory.MANUFACTURING_BREAKAGE,
            )
        return make_claim(status, line=self.line(), staff=staff)

    @cached_property
    def submitted(self) -> Claim:
        return self.claim(Status.SUBMITTED)

    @cached_property
    def attached_photo(self) -> ClaimPhoto:
        return store_photo(owner=self.owner, upload=upload(), claim=self.submitted)

    @cached_property
    def draft_photo(self) -> ClaimPhoto:
        return make_photo(self.owner)

    @cached_property
    def access_attempt(self) -> AccessAttempt:
        return AccessAttempt.objects.create(
            username="someone@asm.example", ip_address="10.0.0.9", user_agent="test", failures_since_start=1
        )

    @cached_property
    def closure_day(self) -> ClosureDay:
        return ClosureDay.objects.create(date=date(2031, 1, 2), description="Stocktaking")


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def snapshot() -> dict[str, Any]:
    """Every row a refused request must not touch (sessions and login records aside)."""
    return {
        "claims": list(Claim.objects.order_by("pk").values()),
        "events": list(ClaimEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", "state", "attempts")),
        "photos": list(ClaimPhoto.objects.order_by("pk").values_list("pk", "claim_id", "owner_id")),
        "messages": Message.objects.count(),
        "inspections": Inspection.objects.count(),
        "terms": list(PolicyTerms.objects.order_by("pk").values()),
        "closures": list(ClosureDay.objects.order_by("pk").values()),
        "users": list(
            User.objects.order_by("pk").values_list("pk", "email", "is_staff", "is_superuser", "password")
        ),
        "media": media_files(),
        "shop": [
            list(ApiKey.objects.order_by("pk").values_list("pk", "revoked_at", "digest")),
            list(WebhookEndpoint.objects.order_by("pk").values_list("pk", "secret_salt", "url")),
            list(WebhookDelivery.objects.order_by("pk").values_list("pk", "state", "attempts")),
            list(OrderFileImport.objects.order_by("pk").values_list("pk", "state")),
        ],
    }
