"""The portal's URLs plus the benchmarks' peers, served through the same middleware.

- ``/bare``: a view that does nothing;
- ``/stock-admin/``: a stock ``ModelAdmin`` changelist of the same claims as the
  care queue (RMA, kind, customer email, product, status, date; 50 rows), what
  Django gives with no work of ours.
"""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from asm_portal.urls import urlpatterns as portal_urlpatterns
from claims.models import Claim

BARE_PATH = "/bare"
STOCK_ADMIN_PATH = "/stock-admin/claims/claim/"


@require_safe
@never_cache
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


class StockClaimAdmin(admin.ModelAdmin[Claim]):
    list_display = ["rma_number", "kind", "customer_email", "product_name", "status", "submitted_at"]
    list_select_related = ["order_line__order__customer", "order_line__product"]
    list_per_page = 50
    change_list_template = "admin/change_list.html"  # Django's own, not the care queue's override

    @admin.display(description="customer")
    def customer_email(self, claim: Claim) -> str:
        return claim.order_line.order.customer.email

    @admin.display(description="product")
    def product_name(self, claim: Claim) -> str:
        return claim.order_line.product.name


stock_site = admin.AdminSite(name="stock_admin")
stock_site.register(Claim, StockClaimAdmin)

urlpatterns = [
    path(BARE_PATH.lstrip("/"), bare),
    path("stock-admin/", stock_site.urls),
    *portal_urlpatterns,
]
