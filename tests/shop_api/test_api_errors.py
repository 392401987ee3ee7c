"""An unknown address or method under the API answers with the API's JSON problems, not a page."""

import pytest
from django.test import Client

from tests.shop_api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_an_unknown_address_is_a_json_404(client: Client, shop_key):
    response = client.get("/api/v1/nothing/here", headers=bearer(shop_key))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "errors": [{"field": "path", "message": "No such endpoint; see /api/v1/docs."}]
    }


def test_a_method_the_endpoint_does_not_take_is_a_json_405_with_what_it_takes(client: Client, shop_key):
    response = client.delete("/api/v1/claims", headers=bearer(shop_key))
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json()["errors"][0]["field"] == "method"
    assert response.json()["errors"][0]["message"] == "DELETE is not allowed here; allowed: GET."


def test_an_endpoints_own_404_is_left_as_it_answers(api):
    response = api.get("/api/v1/claims/RMA-2099-000001")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "path"
    assert "No such endpoint" not in response.json()["errors"][0]["message"]


def test_the_portals_own_404_stays_a_page(client: Client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
