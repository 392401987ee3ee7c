"""No one, superusers included, deletes a claim or any of its history through the admin."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from claims.lifecycle import Status
from claims.models import Claim, ClaimEvent, ClaimPhoto, Inspection, Message, Notification
from tests.admin.conftest import signed_in
from tests.factories import make_claim

HISTORY = [Claim, ClaimEvent, Message, ClaimPhoto, Inspection, Notification]


@pytest.mark.django_db
@pytest.mark.parametrize("model", HISTORY, ids=lambda model: model.__name__)
def test_no_admin_lets_a_superuser_delete_history(superuser, model):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry.get(model)
    if model_admin is not None:
        assert model_admin.has_delete_permission(request) is False
        assert "delete_selected" not in model_admin.get_actions(request)
    for parent_admin in admin.site._registry.values():
        for inline in parent_admin.get_inline_instances(request):
            if inline.model is model:
                assert inline.has_delete_permission(request) is False


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["superuser", "manager"])
def test_the_delete_page_of_a_claim_is_refused(request, user_fixture):
    claim = make_claim(Status.RESOLVED)
    client = signed_in(request.getfixturevalue(user_fixture))
    assert (
        client.post(reverse("admin:claims_claim_delete", args=[claim.pk]), {"post": "yes"}).status_code == 403
    )
    assert Claim.objects.filter(pk=claim.pk).exists()


@pytest.mark.django_db
def test_a_superuser_cannot_edit_a_claim_through_the_form(superuser):
    claim = make_claim(Status.SUBMITTED)
    client = signed_in(superuser)
    client.post(
        reverse("admin:claims_claim_change", args=[claim.pk]), {"status": "resolved", "description": "x"}
    )
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED
    assert claim.description != "x"
