"""A read compiled once per connection gives what its queryset gives, asks the database every time, and
refuses what it could not replay."""

from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import BooleanField, Case, Value, When
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from asm_portal.compiled_reads import CompiledRead
from claims.lifecycle import Status
from claims.models import Claim, ClaimEvent, User
from tests.factories import make_claim, new_customer, new_line

pytestmark = pytest.mark.django_db

CLAIM_BY_RMA = CompiledRead(
    lambda customer_id, rma_number: Claim.objects.filter(
        order_line__order__customer_id=customer_id, rma_number=rma_number
    ).select_related("order_line__order", "order_line__product"),
    customer_id=int,
    rma_number=str,
)


def field_values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_a_compiled_read_gives_the_instances_its_queryset_gives():
    claim = make_claim(Status.APPROVED)
    customer_id = claim.order_line.order.customer_id
    expected = Claim.objects.select_related("order_line__order", "order_line__product").get(pk=claim.pk)

    found = CLAIM_BY_RMA.get(customer_id=customer_id, rma_number=claim.rma_number)

    assert field_values(found) == field_values(expected)  # dates, decimals and JSON converted alike
    with CaptureQueriesContext(connection) as queries:
        assert field_values(found.order_line.order) == field_values(expected.order_line.order)
        assert found.order_line.product.name == expected.order_line.product.name
    assert len(queries) == 0  # the related rows came with it, as select_related brings them


def test_each_call_asks_the_database_with_its_own_values():
    first, second = make_claim(Status.SUBMITTED), make_claim(Status.SUBMITTED)
    for claim in (first, second):
        with CaptureQueriesContext(connection) as queries:
            found = CLAIM_BY_RMA.get(
                customer_id=claim.order_line.order.customer_id, rma_number=claim.rma_number
            )
        assert found.pk == claim.pk
        assert len(queries) == 1
    Claim.objects.filter(pk=first.pk).update(status=Status.CANCELLED)
    found = CLAIM_BY_RMA.get(customer_id=first.order_line.order.customer_id, rma_number=first.rma_number)
    assert found.status == Status.CANCELLED  # never a remembered answer


def test_the_sql_is_compiled_once_per_connection():
    claim = make_claim(Status.SUBMITTED)
    read = CompiledRead(lambda claim_id: ClaimEvent.objects.filter(claim_id=claim_id), claim_id=int)
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as compiled:
        runs = [read.all(claim_id=claim.pk) for _run in range(3)]
    assert compiled.call_count == 1
    assert [event.pk for event in runs[2]] == list(claim.events.values_list("pk", flat=True))


def test_another_customer_gets_nothing():
    claim = make_claim(Status.SUBMITTED)
    stranger = new_customer(email="stranger@example.com")
    with pytest.raises(Claim.DoesNotExist):
        CLAIM_BY_RMA.get(customer_id=stranger.pk, rma_number=claim.rma_number)


def test_get_refuses_more_than_one_row():
    line = new_line()
    make_claim(Status.SUBMITTED, line=line)
    make_claim(Status.SUBMITTED, line=new_line(order=line.order))
    read = CompiledRead(lambda order_id: Claim.objects.filter(order_line__order_id=order_id), order_id=int)
    with pytest.raises(Claim.MultipleObjectsReturned):
        read.get(order_id=line.order_id)


def test_annotations_and_only_come_as_the_queryset_gives_them():
    claim = make_claim(Status.REJECTED)
    read = CompiledRead(
        lambda claim_id: (
            Claim.objects.filter(pk=claim_id)
            .only("rma_number", "status")
            .annotate(
                refused=Case(
                    When(status=Status.REJECTED, then=Value(True)), default=False, output_field=BooleanField()
                )
            )
        ),
        claim_id=int,
    )
    found = read.get(claim_id=claim.pk)
    assert (found.rma_number, found.refused) == (claim.rma_number, True)  # type: ignore[attr-defined]
    assert found.get_deferred_fields() >= {"description", "policy_terms"}


def test_a_lookup_that_changes_the_value_is_refused_at_first_use():
    read = CompiledRead(lambda email: User.objects.filter(email__contains=email), email=str)
    with pytest.raises(TypeError, match="does not carry"):
        read.all(email="ana")


def test_a_prefetch_is_refused_at_first_use():
    read = CompiledRead(
        lambda claim_id: Claim.objects.filter(pk=claim_id).prefetch_related("events"), claim_id=int
    )
    with pytest.raises(TypeError, match="no prefetches"):
        read.all(claim_id=1)


def test_the_parameters_are_named_as_declared():
    with pytest.raises(TypeError, match="expected"):
        CLAIM_BY_RMA.all(customer_id=1)


PERMISSION_NAME = ("content_type__app_label", "codename")


def test_a_values_list_read_gives_the_tuples_its_queryset_gives():
    staff = User.objects.create(email="care@asm.example", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__in=["view_claim", "change_claim"]))
    read = CompiledRead(
        lambda user_id: Permission.objects.filter(user=user_id).values_list(*PERMISSION_NAME), user_id=int
    )
    assert read.rows(user_id=staff.pk) == list(
        Permission.objects.filter(user=staff.pk).values_list(*PERMISSION_NAME)
    )
    with pytest.raises(TypeError, match="gives rows"):
        read.all(user_id=staff.pk)


def test_a_read_with_no_parameters():
    read = CompiledRead(lambda: Permission.objects.values_list(*PERMISSION_NAME))
    assert read.rows() == list(Permission.objects.values_list(*PERMISSION_NAME))
