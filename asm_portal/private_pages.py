"""``Cache-Control: private, no-store`` on every page that depends on who is asking.

A page that read the session (a signed-in customer's orders and claims, their
photos, the "link sent to …" page, the back office) may show one person's
data: on a shared computer the browser must not keep it for the next person,
nor a proxy for anyone. Every page whose header shows who is signed in reads
it; static files and the probes do not, and stay cacheable.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    """Placed below ``SessionMiddleware``, so it sees whether the view read the session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.accessed:
            patch_cache_control(response, private=True, no_store=True)
        return response
