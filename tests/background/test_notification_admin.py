"""The email outbox in the admin: failed emails visible, retried by managers, never deleted."""

from typing import cast
from unittest import mock

import pytest
from django.urls import reverse

from claims.models import Notification, User
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:claims_notification_changelist"


def staff_member(role: str) -> User:
    return cast(User, StaffFactory(role=role))


def email(state: str, key: str) -> Notification:
    return Notification.objects.create(
        template_key="sign_in_link",
        recipient=f"{key}@example.com",
        unique_key=key,
        state=state,
        attempts=8 if state == Notification.State.FAILED else 1,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed" if state == "failed" else "",
    )


def test_managers_see_failed_emails_with_their_attempts_and_last_error(client):
    email(Notification.State.FAILED, "failed")
    email(Notification.State.SENT, "sent")
    client.force_login(staff_member("Care managers"))
    response = client.get(reverse(CHANGELIST), {"state__exact": "failed"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "failed@example.com" in page
    assert "sent@example.com" not in page
    assert "SMTPServerDisconnected" in page


def test_a_manager_retries_a_failed_email(client):
    failed = email(Notification.State.FAILED, "failed")
    sent = email(Notification.State.SENT, "sent")
    client.force_login(staff_member("Care managers"))
    with mock.patch("claims.outbox.celery_app.send_task") as send_task:
        response = client.post(
            reverse(CHANGELIST),
            {"action": "retry", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 email queued again." in page
    assert "1 email was not retried" in page
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (Notification.State.PENDING, 0)
    sent.refresh_from_db()
    assert sent.state == Notification.State.SENT
    # The test client runs inside a transaction that never commits: the queueing waits for it.
    send_task.assert_not_called()


def test_care_staff_see_the_outbox_but_cannot_retry(client):
    failed = email(Notification.State.FAILED, "failed")
    client.force_login(staff_member("Care staff"))
    page = client.get(reverse(CHANGELIST))
    assert page.status_code == 200
    assert 'value="retry"' not in page.content.decode()
    client.post(reverse(CHANGELIST), {"action": "retry", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.state == Notification.State.FAILED


def test_warehouse_staff_do_not_see_the_outbox(client):
    client.force_login(staff_member("Warehouse staff"))
    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_nobody_deletes_or_edits_an_email_record(admin_client):
    failed = email(Notification.State.FAILED, "failed")
    page = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert 'value="delete_selected"' not in page
    assert admin_client.get(reverse("admin:claims_notification_delete", args=[failed.pk])).status_code == 403
    admin_client.post(
        reverse("admin:claims_notification_change", args=[failed.pk]), {"recipient": "other@example.com"}
    )
    failed.refresh_from_db()
    assert failed.recipient == "failed@example.com"
    assert Notification.objects.count() == 1
