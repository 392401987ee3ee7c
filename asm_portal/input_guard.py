"""Refuses, with the 400 page, a request whose path or query string holds a control character.

No page of the portal or the back office has a use for one, and PostgreSQL
refuses a NUL byte in any text it is asked to compare: a ``%00`` in a claim's
URL, the warehouse search or an admin list filter would otherwise reach a
query and end in a 500. Form fields are not checked here: Django's form
fields refuse a NUL beside the field, and a pasted text may hold a vertical
tab or a form feed.
"""

import re
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse

# C0 controls and DEL anywhere in the path; in a query value, tab and line breaks are tolerated
# (a search box may get a pasted line), the rest are not.
CONTROL_IN_PATH = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_IN_QUERY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = "A control character in the path or the query string."
API_PREFIX = "/api/"


def has_control_characters(request: HttpRequest) -> bool:
    if CONTROL_IN_PATH.search(request.path):
        return True
    return any(
        CONTROL_IN_QUERY.search(name) or any(CONTROL_IN_QUERY.search(value) for value in values)
        for name, values in request.GET.lists()
    )


class RejectControlCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_control_characters(request):
            if request.path.startswith(API_PREFIX):
                # The shop's API answers in its own error shape (shop_api.api), never with a page.
                return JsonResponse({"errors": [{"field": "path", "message": CONTROL_MESSAGE}]}, status=400)
            # Django answers with the 400 page (templates/400.html).
            raise BadRequest(CONTROL_MESSAGE)
        return self.get_response(request)
