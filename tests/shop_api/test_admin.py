"""Care managers make and revoke keys and endpoints; each secret is shown once and stored nowhere."""

import re
from typing import Any

import pytest
from django.urls import reverse

from shop_api.keys import authenticate_key
from shop_api.models import ApiKey, WebhookEndpoint
from shop_api.webhooks import signing_secret
from tests.admin.conftest import signed_in, staff

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"asm_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")
SECRET = re.compile(r"whsec_[0-9a-f]{64}")


def shown(pattern: re.Pattern[str], response: Any) -> str:
    """The one secret the page shows."""
    (found,) = pattern.findall(response.content.decode())
    return str(found)


def test_a_manager_makes_a_key_that_is_shown_once_and_stored_as_a_digest():
    manager = signed_in(staff("Care managers"))

    response = manager.post(
        reverse("admin:shop_api_apikey_add"), {"name": "Web shop", "can_write_orders": "on"}
    )

    assert response.status_code == 200  # the page itself, not a redirect carrying the token
    assert "no-store" in response["Cache-Control"]
    token = shown(TOKEN, response)
    api_key = ApiKey.objects.get()
    assert (api_key.name, api_key.can_write_orders, api_key.can_read_claims) == ("Web shop", True, False)
    assert authenticate_key(token) == api_key
    assert token not in str(ApiKey.objects.values().get())
    change_page = manager.get(reverse("admin:shop_api_apikey_change", args=[api_key.pk])).content.decode()
    assert token not in change_page
    assert api_key.prefix in change_page
    listing = manager.get(reverse("admin:shop_api_apikey_changelist")).content.decode()
    assert token not in listing


def test_a_revoked_key_no_longer_authenticates():
    manager = signed_in(staff("Care managers"))
    created = manager.post(
        reverse("admin:shop_api_apikey_add"), {"name": "Web shop", "can_read_claims": "on"}
    )
    token = shown(TOKEN, created)
    api_key = ApiKey.objects.get()

    manager.post(
        reverse("admin:shop_api_apikey_changelist"), {"action": "revoke", "_selected_action": [api_key.pk]}
    )

    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert authenticate_key(token) is None


def test_care_staff_cannot_make_keys_or_endpoints():
    care = signed_in(staff("Care staff"))

    assert care.post(reverse("admin:shop_api_apikey_add"), {"name": "Mine"}).status_code == 403
    assert care.get(reverse("admin:shop_api_webhookendpoint_add")).status_code == 403
    assert not ApiKey.objects.exists()


def test_an_endpoint_secret_is_shown_once_and_derived_never_stored():
    manager = signed_in(staff("Care managers"))

    response = manager.post(
        reverse("admin:shop_api_webhookendpoint_add"),
        {
            "name": "Web shop",
            "url": "https://shop.example/hooks/asm",
            "events": ["claim.resolved", "claim.approved"],
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    secret = shown(SECRET, response)
    endpoint = WebhookEndpoint.objects.get()
    assert sorted(endpoint.events) == ["claim.approved", "claim.resolved"]
    assert signing_secret(endpoint) == secret
    assert secret not in str(WebhookEndpoint.objects.values().get())
    change_page = manager.get(reverse("admin:shop_api_webhookendpoint_change", args=[endpoint.pk]))
    assert secret not in change_page.content.decode()


def test_a_new_secret_replaces_the_old_one():
    manager = signed_in(staff("Care managers"))
    manager.post(
        reverse("admin:shop_api_webhookendpoint_add"),
        {"name": "Web shop", "url": "https://shop.example/hooks", "events": ["claim.resolved"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    old = signing_secret(endpoint)

    response = manager.post(
        reverse("admin:shop_api_webhookendpoint_changelist"),
        {"action": "new_secrets", "_selected_action": [endpoint.pk]},
    )

    endpoint.refresh_from_db()
    new = shown(SECRET, response)
    assert new == signing_secret(endpoint) != old


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://shop.example/", "not a url"])
def test_an_endpoint_must_be_an_http_address(url):
    manager = signed_in(staff("Care managers"))

    response = manager.post(
        reverse("admin:shop_api_webhookendpoint_add"),
        {"name": "Web shop", "url": url, "events": ["claim.resolved"]},
    )

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
