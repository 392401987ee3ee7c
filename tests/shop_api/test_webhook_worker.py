"""Webhooks through a real Celery worker on Redis, and a worker that died holding a delivery."""

import json
from datetime import timedelta

import pytest
from django.conf import settings

from claims.lifecycle import Status
from claims.services import approve_claim
from shop_api import webhooks
from shop_api.models import WebhookDelivery
from tests.background.celery_app import live_redis_url, running_worker, wait_until
from tests.factories import make_claim, new_staff
from tests.shop_api.receiver import webhook_receiver
from tests.shop_api.test_webhooks import endpoint, verify


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_approval_reaches_the_shop_through_the_worker_signed_and_once():
    url = live_redis_url()
    with webhook_receiver() as receiver, running_worker(url):
        _endpoint, secret = endpoint(receiver.url, events=["claim.approved"])
        claim = make_claim()

        approve_claim(claim=claim, actor=new_staff())

        assert wait_until(lambda: WebhookDelivery.objects.filter(state="delivered").exists())
    assert len(receiver.received) == 1
    assert verify(secret, receiver.received[0].headers, receiver.received[0].body)
    assert json.loads(receiver.received[0].body)["data"]["claim"]["status"] == Status.APPROVED


@pytest.mark.django_db
def test_a_delivery_held_by_a_worker_that_died_goes_out_once_its_lease_lapses():
    with webhook_receiver() as receiver:
        endpoint(receiver.url, events=["claim.submitted"])
        make_claim()
        delivery = WebhookDelivery.objects.get()
        # A worker leases the row, then dies before its POST: the row is held, not lost.
        (leased,) = webhooks.take_leases(delivery_ids=[delivery.pk], now=delivery.next_attempt_at)
        assert leased.lease_expires_at is not None

        assert webhooks.relay_webhooks(now=leased.lease_expires_at - timedelta(seconds=1)) == 0
        after_lease = leased.lease_expires_at + timedelta(seconds=1)
        assert webhooks.relay_webhooks(now=after_lease) == 1
        assert (
            webhooks.relay_webhooks(now=after_lease + timedelta(seconds=settings.ASM_OUTBOX_LEASE_SECONDS))
            == 0
        )

    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
