"""Request logs without sign-in tokens (asm_portal/access_log.py; gunicorn's own run is in
tests/security/test_token_spend.py)."""

import logging

import pytest
from django.conf import settings

from asm_portal.access_log import TOKEN_NAME, WithoutTokens, without_tokens


@pytest.mark.parametrize(
    ("logged", "expected"),
    [
        ("GET /sign-in/link/?token=AAAAAQ.x-y_z:1 HTTP/1.1", "GET /sign-in/link/?token=[removed] HTTP/1.1"),
        ("/sign-in/link/?a=1&token=secret&b=2", "/sign-in/link/?a=1&token=[removed]&b=2"),
        ("token=secret", "token=[removed]"),
        (
            "https://care.example/sign-in/link/?TOKEN=secret",
            "https://care.example/sign-in/link/?TOKEN=[removed]",
        ),
        ("csrftoken=abc; sessionid=def", "csrftoken=abc; sessionid=def"),
        ("GET /orders/?page=2 HTTP/1.1", "GET /orders/?page=2 HTTP/1.1"),
    ],
)
def test_a_tokens_value_is_removed_and_nothing_else(logged, expected):
    assert without_tokens(logged) == expected


def test_the_parameter_is_the_one_sign_in_links_use():
    assert TOKEN_NAME == settings.SESAME_TOKEN_NAME


def test_the_development_servers_request_lines_are_filtered(caplog):
    logger = logging.getLogger("django.server")
    assert any(isinstance(each, WithoutTokens) for each in logger.filters)
    with caplog.at_level(logging.INFO, logger="django.server"):
        logger.info('"%s" %s %s', "GET /sign-in/link/?token=secret HTTP/1.1", 200, 512)
    assert "secret" not in caplog.text
    assert "/sign-in/link/?token=[removed]" in caplog.text
