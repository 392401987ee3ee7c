import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from claims.models import User
from tests.factories import StaffFactory

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


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def care(db) -> User:
    return StaffFactory(role="Care staff", email="care@asm.example")


@pytest.fixture
def warehouse(db) -> User:
    return StaffFactory(role="Warehouse staff", email="warehouse@asm.example")


@pytest.fixture
def manager(db) -> User:
    return StaffFactory(role="Care managers", email="manager@asm.example")


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root@asm.example", "root-password-1")
