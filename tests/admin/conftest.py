from typing import Any, cast

import pytest
from django.test import Client
from django.utils import timezone

from claims.models import Claim, OrderLine, User
from tests.factories import OrderLineFactory, StaffFactory


def staff(role: str, **fields: Any) -> User:
    return cast(User, StaffFactory(role=role, **fields))


def order_line(**fields: Any) -> OrderLine:
    return cast(OrderLine, OrderLineFactory(**fields))


def approved_on(claim: Claim) -> str:
    """The approval day, a valid day for the parcel's receipt."""
    assert claim.approved_at is not None
    return timezone.localdate(claim.approved_at).isoformat()


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
