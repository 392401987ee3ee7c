"""The API run against the live server by schemathesis, from its own OpenAPI document.

A quick profile (a few dozen generated requests per operation, ``SCHEMA_EXAMPLES``):
no answer is a 5xx, and every answer has a status, a content type and a body
the document declares for it. Values that fit the schema but break the
import's rules get 422, which the document lists, so only these four checks run.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shop_api.api import api
from shop_api.keys import create_api_key

SCHEMA_EXAMPLES = int(os.environ.get("ASM_SCHEMA_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


@pytest.fixture
def shop_token(live_server, settings) -> str:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.ASM_API_RATE_PER_KEY = 100_000  # the limit is tested on its own (test_auth)
    return create_api_key(name="Fuzz", can_write_orders=True, can_read_claims=True, created_by=None).token


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=SCHEMA_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_matches_the_document(case, live_server, shop_token):
    case.call_and_validate(
        base_url=live_server.url, headers={"Authorization": f"Bearer {shop_token}"}, checks=CHECKS
    )
