"""The readiness probe, ``/readyz``: the database, the cache and the broker, each by name.

Redis itself going down is in tests/test_redis_outage.py; liveness (``/healthz``) in test_production.py.
"""

import logging
from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_readiness_is_200_when_every_service_answers(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.content.decode().splitlines() == ["database: ok", "cache: ok", "broker: ok"]
    assert response["Cache-Control"] == "no-store"


def test_readiness_answers_a_load_balancer_probing_by_address_over_http(client, settings):
    settings.ALLOWED_HOSTS = ["care.asm.example"]
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/readyz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.head("/readyz", HTTP_HOST="10.0.0.7:8000").status_code == 200


def test_readiness_is_503_naming_a_database_that_does_not_answer(client, caplog):
    caplog.set_level(logging.WARNING, logger="asm_portal.health")
    refused = OperationalError('connection to server at "db.internal" failed: password=hunter2')
    with mock.patch("asm_portal.health.connection.cursor", side_effect=refused):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.content.decode().splitlines() == ["database: down", "cache: ok", "broker: ok"]
    assert "Readiness: the database does not answer: OperationalError" in caplog.text
    # Neither the answer nor the log repeats what the error said.
    assert "hunter2" not in response.content.decode() + caplog.text
