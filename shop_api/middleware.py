"""What never reaches an endpoint of the shop's API still answers as the API does.

An unknown address under the API (404) or a method its endpoint does not take
(405) would otherwise get the portal's HTML page, or django-ninja's plain
"Method not allowed": the shop's program reads the API's JSON problems, as for
every other refusal (``shop_api.api``).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from shop_api.api import API_ROOT, problems


class ApiProblemsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code not in (404, 405) or not request.path_info.startswith(f"/{API_ROOT}"):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response  # an endpoint's own 404: already the API's problems
        if response.status_code == 404:
            return problems(request, 404, [("path", f"No such endpoint; see /{API_ROOT}docs.")])
        allowed = response.get("Allow", "")
        refusal = problems(
            request, 405, [("method", f"{request.method} is not allowed here; allowed: {allowed}.")]
        )
        refusal["Allow"] = allowed
        return refusal
