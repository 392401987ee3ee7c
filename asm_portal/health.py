"""The load balancer's liveness probe."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

LIVENESS_PATH = "/healthz"


class LivenessMiddleware:
    """Answers ``GET /healthz`` with ``ok`` before any other middleware looks at the request.

    First in ``MIDDLEWARE``: a load balancer probes each instance by its own
    address over plain HTTP, which the host check (400) and the HTTPS redirect
    would otherwise refuse. It touches neither the database nor Redis, so it
    says only that the process answers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == LIVENESS_PATH and request.method in ("GET", "HEAD"):
            return HttpResponse("ok", content_type="text/plain", headers={"Cache-Control": "no-store"})
        return self.get_response(request)
