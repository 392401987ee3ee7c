"""The sign-in backends read the person and their permissions fresh on every request (compiled reads)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from asm_portal.auth_backends import PasswordBackend
from claims.models import User
from tests.factories import new_customer, new_staff

pytestmark = pytest.mark.django_db


def test_the_person_is_read_by_their_id():
    customer = new_customer(email="ana@example.com")
    assert PasswordBackend().get_user(str(customer.pk)) == customer
    assert PasswordBackend().get_user("not a number") is None
    assert PasswordBackend().get_user(customer.pk + 1000) is None


def test_a_deactivated_customer_is_signed_out_at_the_next_request(client):
    customer = new_customer(email="ana@example.com")
    client.force_login(customer, backend="asm_portal.auth_backends.SignInLinkBackend")
    assert client.get(reverse("portal:orders")).status_code == 200
    User.objects.filter(pk=customer.pk).update(is_active=False)
    assert client.get(reverse("portal:orders")).status_code == 302


def test_permissions_come_from_the_person_and_their_groups_as_django_reads_them():
    staff = new_staff(role="")
    staff.user_permissions.add(Permission.objects.get(codename="view_claim"))
    group = Group.objects.create(name="Inspectors")
    group.permissions.add(Permission.objects.get(codename="change_claim"))
    staff.groups.add(group)
    signed_in = PasswordBackend().get_user(staff.pk)
    assert signed_in is not None
    assert PasswordBackend().get_all_permissions(signed_in) == {"claims.view_claim", "claims.change_claim"}


def test_a_permission_taken_away_counts_from_the_next_request(client):
    staff = new_staff(role="")
    staff.user_permissions.add(Permission.objects.get(codename="view_claim"))
    client.force_login(staff, backend="asm_portal.auth_backends.PasswordBackend")
    changelist = reverse("admin:claims_claim_changelist")
    assert client.get(changelist).status_code == 200
    staff.user_permissions.clear()
    assert client.get(changelist).status_code == 403


def test_a_superuser_has_every_permission():
    boss = User.objects.create(email="boss@asm.example", is_staff=True, is_superuser=True)
    assert len(PasswordBackend().get_all_permissions(boss)) == Permission.objects.count()
