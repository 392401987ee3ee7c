"""The portal's URLs plus ``/bare``: a view that does nothing, served through the same middleware."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from asm_portal.urls import urlpatterns as portal_urlpatterns

BARE_PATH = "/bare"


@require_safe
@never_cache
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path(BARE_PATH.lstrip("/"), bare), *portal_urlpatterns]
