"""Typed shortcuts over ``tests.factories`` for the background-work tests."""

from typing import Any, cast

from claims.models import OrderLine, User
from tests.factories import CustomerFactory, OrderLineFactory, StaffFactory


def new_line(customer: User | None = None) -> OrderLine:
    """An order line, of ``customer``'s order when given."""
    extra: dict[str, Any] = {"order__customer": customer} if customer else {}
    return cast(OrderLine, OrderLineFactory(**extra))


def new_staff() -> User:
    return cast(User, StaffFactory())


def new_customer(**fields: Any) -> User:
    return cast(User, CustomerFactory(**fields))
