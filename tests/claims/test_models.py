"""The claim domain's models: identity by email, constraints the database keeps."""

from typing import cast

import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction

from claims.lifecycle import Status
from claims.models import Customer, Order, OrderLine, Product, User, normalize_email
from tests.factories import (
    STAFF_PASSWORD,
    CustomerFactory,
    OrderFactory,
    ProductFactory,
    StaffFactory,
    make_claim,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [("Anna@Example.COM", "anna@example.com"), ("  anna@example.com\t", "anna@example.com")],
)
def test_emails_are_compared_trimmed_and_case_insensitively(typed, normalised):
    assert normalize_email(typed) == normalised


def test_a_saved_user_has_the_normalised_email():
    user = User.objects.create_user(" Binh@Example.com ")

    assert user.email == "binh@example.com"
    assert not user.has_usable_password()  # customers sign in by link


def test_the_database_refuses_two_accounts_differing_only_in_case():
    User.objects.create_user("chi@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        # bulk_create skips save(), so only the constraint stands in the way.
        User.objects.bulk_create([User(email="Chi@Example.com")])


def test_staff_sign_in_whatever_the_case_of_their_email(rf):
    staff = cast(User, StaffFactory(email="care.lead@asm.example"))

    assert authenticate(rf.get("/"), username="Care.Lead@ASM.example", password=STAFF_PASSWORD) == staff


def test_customers_are_the_users_who_are_not_staff():
    customer = CustomerFactory()
    StaffFactory()

    assert list(Customer.objects.all()) == [customer]


def test_an_order_line_has_a_positive_quantity():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.create(
            order=cast(Order, OrderFactory()), product=cast(Product, ProductFactory()), quantity=0
        )


def test_an_order_lists_each_product_once():
    order, product = cast(Order, OrderFactory()), cast(Product, ProductFactory())
    OrderLine.objects.create(order=order, product=product, quantity=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.create(order=order, product=product, quantity=2)


def test_a_claim_reads_as_its_rma_number():
    claim = make_claim()

    assert str(claim) == claim.rma_number
    assert claim.is_open
    assert not make_claim(Status.REJECTED).is_open
