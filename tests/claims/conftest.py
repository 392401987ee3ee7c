"""Fixtures of the claim domain's tests."""

import pytest

from tests.background.smtp import smtp_sink


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server in this process, and the settings that send to it."""
    with smtp_sink() as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        yield sink
