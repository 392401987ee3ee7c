"""Signed webhooks delivered to a real HTTP server: signature, retries, exactly once, the admin."""

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from email.message import Message
from unittest import mock

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from claims.lifecycle import Status
from claims.models import OrderLine
from claims.services import answer_info_request, approve_claim
from shop_api import webhooks
from shop_api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.admin.conftest import signed_in, staff
from tests.factories import make_claim, new_staff
from tests.shop_api.receiver import Receiver, webhook_receiver
from tests.shop_api.test_orders import order_body

pytestmark = pytest.mark.django_db

ALL_EVENTS = [str(event) for event in WebhookEvent]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


def endpoint(url: str, events: list[str] = ALL_EVENTS) -> tuple[WebhookEndpoint, str]:
    made = WebhookEndpoint(name="Web shop", url=url, events=events)
    secret = webhooks.new_secret(made)
    made.save()
    return made, secret


def verify(secret: str, headers: Message, body: bytes, *, tolerance: int = 300) -> bool:
    """The shop's check, as docs/webhooks.md shows it."""
    parts = dict(part.split("=", 1) for part in headers["ASM-Signature"].split(","))
    timestamp = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    fresh = abs(timezone.now().timestamp() - timestamp) <= tolerance
    return fresh and hmac.compare_digest(expected, parts["v1"])


def deliver_all(now=None) -> None:
    for delivery_id in WebhookDelivery.objects.values_list("pk", flat=True):
        webhooks.deliver_webhook(delivery_id=delivery_id, now=now)


def test_a_filed_claim_is_posted_signed_to_the_endpoint(receiver):
    _endpoint, secret = endpoint(receiver.url)

    claim = make_claim()
    deliver_all()

    assert len(receiver.received) == 1
    received = receiver.received[0]
    assert verify(secret, received.headers, received.body)
    assert not verify("whsec_wrong", received.headers, received.body)
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["ASM-Event"] == "claim.submitted"
    event = json.loads(received.body)
    assert event["type"] == "claim.submitted"
    assert received.headers["ASM-Delivery"] == event["id"]
    assert event["data"]["claim"]["rma"] == claim.rma_number
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert delivery.attempt_log.get().status_code == 200


def test_claim_resolved_carries_what_the_shop_needs_to_refund(receiver):
    endpoint(receiver.url, events=["claim.resolved"])

    claim = make_claim(Status.RESOLVED)
    deliver_all()

    assert len(receiver.received) == 1
    event = json.loads(receiver.received[0].body)
    assert event["type"] == "claim.resolved"
    resolved = event["data"]["claim"]
    line = claim.order_line
    assert resolved["outcome"] == "refund"
    assert Decimal(resolved["refund_amount"]) == Decimal("1250000.00")
    assert resolved["currency"] == "VND"
    assert resolved["order_number"] == line.order.number
    assert resolved["lines"] == [
        {
            "sku": line.product.sku,
            "product_name": line.product.name,
            "quantity": 1,
            "unit_price": "1250000.00",
        }
    ]


@pytest.mark.parametrize(
    ("status", "events"),
    [
        (Status.SUBMITTED, ["claim.submitted"]),
        (Status.APPROVED, ["claim.submitted", "claim.approved"]),
        (Status.RECEIVED, ["claim.submitted", "claim.approved", "claim.received"]),
        (Status.REJECTED, ["claim.submitted", "claim.rejected"]),
        (Status.CANCELLED, ["claim.submitted", "claim.cancelled"]),
        (Status.EXPIRED, ["claim.submitted", "claim.expired"]),
        (
            Status.RESOLVED,
            ["claim.submitted", "claim.approved", "claim.received", "claim.resolved"],
        ),
    ],
)
def test_each_status_reached_writes_its_event(status, events):
    endpoint("https://shop.example/hooks")

    make_claim(status)

    assert list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True)) == events


def test_an_answer_sending_a_claim_back_to_review_is_not_a_new_submission():
    endpoint("https://shop.example/hooks")
    claim = make_claim(Status.INFO_REQUESTED)

    answer_info_request(claim=claim, actor=claim.order_line.order.customer, answer="Here is the box.")

    assert list(WebhookDelivery.objects.values_list("event", flat=True)) == ["claim.submitted"]


def test_only_the_events_an_active_endpoint_asked_for_are_written():
    endpoint("https://shop.example/resolved", events=["claim.resolved"])
    inactive, _secret = endpoint("https://shop.example/off")
    WebhookEndpoint.objects.filter(pk=inactive.pk).update(is_active=False)

    make_claim(Status.APPROVED)

    assert not WebhookDelivery.objects.exists()


def test_nothing_is_written_or_sent_for_a_change_that_rolled_back(django_capture_on_commit_callbacks):
    endpoint("https://shop.example/hooks", events=["claim.approved"])
    claim = make_claim()

    def approve_then_fail() -> None:
        with transaction.atomic():
            approve_claim(claim=claim, actor=new_staff())
            raise RuntimeError("something after the approval failed")

    with (
        mock.patch("shop_api.webhooks.publish_task") as publish,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
    ):
        approve_then_fail()

    assert not WebhookDelivery.objects.exists()
    publish.assert_not_called()


def test_delivery_is_queued_when_the_change_commits(django_capture_on_commit_callbacks):
    endpoint("https://shop.example/hooks", events=["claim.approved"])
    claim = make_claim()

    with (
        mock.patch("shop_api.webhooks.publish_task") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        approve_claim(claim=claim, actor=new_staff())
        publish.assert_not_called()

    delivery = WebhookDelivery.objects.get()
    publish.assert_called_once_with(webhooks.DELIVER_TASK, args=[delivery.pk])


def test_a_broker_that_does_not_answer_leaves_the_delivery_to_the_relay(
    receiver, django_capture_on_commit_callbacks
):
    endpoint(receiver.url, events=["claim.approved"])
    claim = make_claim()

    with (
        mock.patch("shop_api.webhooks.publish_task", side_effect=ConnectionError("Redis is down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        approved = approve_claim(claim=claim, actor=new_staff())

    assert approved.status == Status.APPROVED  # the change is saved all the same
    assert webhooks.relay_webhooks() == 1
    assert [json.loads(hit.body)["type"] for hit in receiver.received] == ["claim.approved"]


def test_a_refusal_is_retried_with_backoff_then_delivered_once(receiver):
    endpoint(receiver.url, events=["claim.submitted"])
    receiver.plans = [500]
    make_claim()

    deliver_all()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500")
    assert delivery.next_attempt_at > timezone.now()
    deliver_all()  # not yet due: nothing sent
    assert len(receiver.received) == 1

    later = delivery.next_attempt_at + timedelta(seconds=1)
    deliver_all(now=later)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    assert [attempt.status_code for attempt in delivery.attempt_log.all()] == [500, 200]
    assert "shop is down" in delivery.attempt_log.all()[0].response_body

    # Accepted: never sent again, however often the worker or the relay come by.
    deliver_all(now=later + timedelta(days=1))
    webhooks.relay_webhooks(now=later + timedelta(days=1))
    assert len(receiver.received) == 2
    # Both attempts carried the same event, so a shop that saw the first can tell.
    assert receiver.received[0].body == receiver.received[1].body


def test_a_timeout_is_a_failed_attempt_retried_later(receiver, settings):
    settings.ASM_WEBHOOK_TIMEOUT_SECONDS = 1
    endpoint(receiver.url, events=["claim.submitted"])
    receiver.plans = [("hang", 2)]
    make_claim()

    deliver_all()

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert "timed out" in delivery.last_error.lower()
    assert delivery.attempt_log.get().status_code is None
    deliver_all(now=delivery.next_attempt_at + timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED


def test_a_delivery_refused_too_often_is_marked_failed(receiver, settings):
    settings.ASM_WEBHOOK_MAX_ATTEMPTS = 2
    endpoint(receiver.url, events=["claim.submitted"])
    receiver.plans = [503, 503]
    make_claim()

    deliver_all()
    deliver_all(now=timezone.now() + timedelta(days=1))

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("failed", 2)
    deliver_all(now=timezone.now() + timedelta(days=2))
    assert len(receiver.received) == 2


def test_nothing_more_goes_to_an_endpoint_switched_off(receiver):
    made, _secret = endpoint(receiver.url, events=["claim.submitted"])
    make_claim()
    WebhookEndpoint.objects.filter(pk=made.pk).update(is_active=False)

    deliver_all()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.last_error) == ("failed", "the endpoint is not active")
    assert receiver.received == []


def test_a_redirect_is_not_followed_with_the_signed_body(receiver):
    endpoint(receiver.url, events=["claim.submitted"])
    receiver.plans = [302]
    make_claim()

    deliver_all()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.last_error) == ("pending", "HTTP 302")
    assert len(receiver.received) == 1


def test_a_manager_sees_the_attempts_and_redelivers(receiver, django_capture_on_commit_callbacks):
    endpoint(receiver.url, events=["claim.submitted"])
    receiver.plans = [500]
    make_claim()
    deliver_all()
    delivery = WebhookDelivery.objects.get()
    manager = signed_in(staff("Care managers"))

    page = manager.get(reverse("admin:shop_api_webhookdelivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    assert "shop is down" in page.content.decode()

    with (
        mock.patch("shop_api.webhooks.publish_task") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = manager.post(
            reverse("admin:shop_api_webhookdelivery_changelist"),
            {"action": "redeliver", "_selected_action": [delivery.pk]},
            follow=True,
        )
    assert "1 webhook queued again." in response.content.decode()
    publish.assert_called_once_with(webhooks.DELIVER_TASK, args=[delivery.pk])
    webhooks.deliver_webhook(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert len(receiver.received) == 2


def test_care_staff_cannot_redeliver():
    endpoint("https://shop.example/hooks", events=["claim.submitted"])
    make_claim()
    delivery = WebhookDelivery.objects.get()
    care = signed_in(staff("Care staff"))

    response = care.post(
        reverse("admin:shop_api_webhookdelivery_changelist"),
        {"action": "redeliver", "_selected_action": [delivery.pk]},
    )

    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.attempts == 0


def test_the_shop_pushes_an_order_and_hears_of_the_refund_signed(api, receiver):
    """The issue's "done when": an order in by the API, a refund out by a signed claim.resolved."""
    _endpoint, secret = endpoint(receiver.url, events=["claim.resolved"])
    body = order_body(
        lines=[{"sku": "ASM-T34", "product_name": "T-34", "quantity": 1, "unit_price": "990000"}]
    )
    assert api.put("/api/v1/orders/WEB-2002", body).status_code == 200
    line = OrderLine.objects.get(order__number="WEB-2002")

    claim = make_claim(Status.RESOLVED, line=line)
    deliver_all()

    (received,) = receiver.received
    assert verify(secret, received.headers, received.body)
    resolved = json.loads(received.body)["data"]["claim"]
    assert (resolved["rma"], resolved["order_number"], resolved["outcome"]) == (
        claim.rma_number,
        "WEB-2002",
        "refund",
    )
    assert (resolved["refund_amount"], resolved["currency"]) == ("1250000.00", "VND")
    assert resolved["lines"][0]["unit_price"] == "990000.00"
