import importlib
from typing import Any, cast

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from claims.models import Claim, OrderLine, User
from tests.factories import OrderLineFactory, StaffFactory

ROLE_MIGRATION = importlib.import_module("claims.migrations.0003_role_permissions")


def ensure_roles() -> None:
    """The roles as migration 0003 defines them (a transactional test's flush removes the groups)."""
    for role, codenames_by_app in ROLE_MIGRATION.ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codenames in codenames_by_app.items()
                for codename in codenames
            ]
        )


def staff(role: str, **fields: Any) -> User:
    return cast(User, StaffFactory(role=role, **fields))


def order_line(**fields: Any) -> OrderLine:
    return cast(OrderLine, OrderLineFactory(**fields))


def approved_on(claim: Claim) -> str:
    """The approval day, a valid day for the parcel's receipt."""
    assert claim.approved_at is not None
    return claim.approved_at.date().isoformat()


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def care(db) -> User:
    return staff("Care staff", email="care@asm.example")


@pytest.fixture
def warehouse(db) -> User:
    return staff("Warehouse staff", email="warehouse@asm.example")


@pytest.fixture
def manager(db) -> User:
    return staff("Care managers", email="manager@asm.example")


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root@asm.example", "root-password-1")
