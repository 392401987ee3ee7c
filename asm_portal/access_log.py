"""Access-log lines without sign-in tokens: a link's ``token`` query parameter is logged as ``[removed]``.

gunicorn's access log (``gunicorn.conf.py`` names ``TokenFreeAccessLogger``)
and the development server's (``LOGGING`` in the settings) write request
lines and Referer headers; a sign-in link's token in either would let whoever
reads the logs sign in as the customer while the link is fresh.
"""

import logging
import re
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]  # gunicorn ships no types

# settings.SESAME_TOKEN_NAME; this module loads before Django's settings (gunicorn reads it first).
TOKEN_NAME = "token"  # noqa: S105  # nosec B105 - the parameter's name, not a secret
REMOVED = "[removed]"
_TOKEN_VALUE = re.compile(rf"(\b{TOKEN_NAME}=)[^&;\s\"']*", re.IGNORECASE)


def without_tokens(text: str) -> str:
    """``text`` with the value of every ``token=`` parameter replaced by ``[removed]``."""
    return _TOKEN_VALUE.sub(rf"\g<1>{REMOVED}", text)


def _scrubbed(value: Any) -> Any:
    return without_tokens(value) if isinstance(value, str) else value


class TokenFreeAccessLogger(Logger):
    """gunicorn's logger; every string an access-log format can name (request line, query string,
    Referer, any header or environ entry) is scrubbed before formatting."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {name: _scrubbed(value) for name, value in atoms.items()}


class WithoutTokens(logging.Filter):
    """A logging filter for request logs (the development server's ``django.server``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _scrubbed(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_scrubbed(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {name: _scrubbed(value) for name, value in record.args.items()}
        return True
