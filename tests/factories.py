"""Factories for the claim domain. Claims past ``submitted`` are walked there through the services."""

import importlib
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, cast

import factory
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from claims import permissions
from claims.lifecycle import ClaimKind, Outcome, RejectReason, Status
from claims.models import Claim, Order, OrderLine, Product, User
from claims.services import (
    ClaimRequest,
    InspectionFindings,
    approve_claim,
    cancel_claim,
    expire_claim,
    receive_claim,
    record_inspection,
    reject_claim,
    request_info,
    resolve_claim,
    submit_claim,
)
from policies.eligibility import Declaration
from policies.reasons import DefectCategory, ReturnReason


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    full_name = factory.Faker("name")


STAFF_PASSWORD = "staff-password-1"
ROLE_MIGRATION = importlib.import_module("claims.migrations.0003_role_permissions")
EVERY_ROLE = tuple(ROLE_MIGRATION.ROLE_PERMISSIONS)


@cache
def staff_password_hash() -> str:
    """Hashed once per run: at full strength each hash costs a quarter of a second."""
    return make_password(STAFF_PASSWORD)


def ensure_roles() -> None:
    """The roles as migration 0003 defines them."""
    for role, codenames_by_app in ROLE_MIGRATION.ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codenames in codenames_by_app.items()
                for codename in codenames
            ]
        )


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@asm.example")
    full_name = factory.Faker("name")
    is_staff = True
    password = factory.LazyFunction(lambda: staff_password_hash())

    @factory.post_generation
    def role(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        """``role="Care staff"``: that role; ``role=""``: none; left out: every role (the test is about
        something else, and the services check the actor's permissions)."""
        if not create or extracted == "":
            return
        roles = [extracted] if extracted else EVERY_ROLE
        groups = Group.objects.filter(name__in=roles)
        if len(groups) < len(roles):  # a transactional test's flush removed them
            ensure_roles()
        obj.groups.add(*groups.all())


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"ASM-{n:05d}")
    name = factory.Sequence(lambda n: f"Diorama model {n}")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"ASM{100000 + n}")
    customer = factory.SubFactory(CustomerFactory)
    purchased_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=5))
    delivered_on = factory.LazyAttribute(lambda order: order.purchased_on + timedelta(days=2))


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    unit_price = Decimal("1250000.00")


FULL_DECLARATION = Declaration(
    intact_unused_packaged=True,
    no_user_damage=True,
    all_accessories_included=True,
    not_dropped_or_mishandled=True,
    no_third_party_repair=True,
)


def claim_request(
    line: OrderLine,
    *,
    kind: str = ClaimKind.RETURN,
    quantity: int = 1,
    reason: str = ReturnReason.CHANGED_MIND,
    category: str = DefectCategory.MANUFACTURING_BREAKAGE,
    declaration: Declaration = FULL_DECLARATION,
    description: str = "The model is not what I expected.",
) -> ClaimRequest:
    return ClaimRequest(
        order_line=line,
        kind=ClaimKind(kind),
        quantity=quantity,
        description=description,
        declaration=declaration,
        return_reason=ReturnReason(reason) if kind == ClaimKind.RETURN else None,
        defect_category=DefectCategory(category) if kind == ClaimKind.WARRANTY else None,
    )


def make_claim(
    status: str = Status.SUBMITTED,
    *,
    kind: str = ClaimKind.RETURN,
    line: OrderLine | None = None,
    staff: User | None = None,
    photos: list[Any] | None = None,
    **request: Any,
) -> Claim:
    """A claim walked to ``status`` through the services, as it would be in real life.

    Warranty claims and returns whose reason requires photos need ``photos``
    (from ``tests.photos.make_photo``) unless filed for an older purchase.
    """
    line = line or cast(OrderLine, OrderLineFactory())
    staff = staff or cast(User, StaffFactory())
    # The parcel is received and inspected by the warehouse: ``staff`` if their role allows it.
    warehouse = (
        staff if staff.has_perm(permissions.RECEIVE) else cast(User, StaffFactory(role="Warehouse staff"))
    )
    customer = line.order.customer
    claim = submit_claim(
        request=claim_request(line, kind=kind, **request), actor=customer, photos=photos or []
    )
    walks = {
        Status.SUBMITTED: [],
        Status.INFO_REQUESTED: ["info"],
        Status.APPROVED: ["approve"],
        Status.REJECTED: ["reject"],
        Status.CANCELLED: ["cancel"],
        Status.EXPIRED: ["info", "expire"],
        Status.RECEIVED: ["approve", "receive"],
        Status.INSPECTED: ["approve", "receive", "inspect"],
        Status.RESOLVED: ["approve", "receive", "inspect", "resolve"],
    }
    for step in walks[Status(status)]:
        if step == "info":
            claim = request_info(claim=claim, actor=staff, question="Could you send a photo of the box?")
        elif step == "approve":
            claim = approve_claim(claim=claim, actor=staff)
        elif step == "reject":
            claim = reject_claim(claim=claim, actor=staff, reason=RejectReason.OTHER, message="Not eligible.")
        elif step == "cancel":
            claim = cancel_claim(claim=claim, actor=customer)
        elif step == "expire":
            claim = expire_claim(claim=claim, why="No answer.")
        elif step == "receive":
            claim = receive_claim(claim=claim, actor=warehouse)
        elif step == "inspect":
            claim = record_inspection(claim=claim, actor=warehouse, findings=ALL_GOOD)
        elif step == "resolve":
            claim = resolve_claim(
                claim=claim,
                actor=staff,
                outcome=Outcome.REFUND if kind == ClaimKind.RETURN else Outcome.REPAIR,
                refund_amount=Decimal("1250000.00") if kind == ClaimKind.RETURN else None,
                payment_reference="PAY-1" if kind == ClaimKind.RETURN else "",
            )
    return claim


ALL_GOOD = InspectionFindings(
    found_intact_unused_packaged=True,
    found_no_user_damage=True,
    found_all_accessories_included=True,
    signs_of_user_damage=False,
    signs_of_third_party_repair=False,
    defect_confirmed=False,
    shipping_damage_confirmed=False,
)


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


# Typed shortcuts: factory_boy's calls are typed as the factory, not the model.


def new_customer(**fields: Any) -> User:
    return cast(User, CustomerFactory(**fields))


def new_staff(**fields: Any) -> User:
    return cast(User, StaffFactory(**fields))


def new_order(**fields: Any) -> Order:
    return cast(Order, OrderFactory(**fields))


def new_line(**fields: Any) -> OrderLine:
    return cast(OrderLine, OrderLineFactory(**fields))
