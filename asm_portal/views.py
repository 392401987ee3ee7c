"""Views that belong to the deployment rather than to a feature."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def liveness(request: HttpRequest) -> HttpResponse:
    """For the load balancer: the process answers. Touches neither the database nor Redis."""
    return HttpResponse("ok", content_type="text/plain")
