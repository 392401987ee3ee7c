"""The RMA slip in the back office: for the staff who may open the claim (care) or its parcel (warehouse)."""

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from claims.models import Claim
from claims.permissions import INSPECT, RECEIVE
from claims.slip import SlipSize, has_slip, slip_response


class SlipDownloads(admin.ModelAdmin[Claim]):
    def has_slip_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return self.has_view_permission(request) or user.has_perm(RECEIVE) or user.has_perm(INSPECT)

    def slip_view(self, request: HttpRequest, object_id: int, size: str) -> HttpResponse:
        """As on the portal, anyone else gets 404: the slip carries the customer's name and order."""
        if not self.has_slip_permission(request):
            raise Http404
        claim = (
            Claim.objects.select_related("order_line__order__customer", "order_line__product")
            .filter(pk=object_id)
            .first()
        )
        if claim is None:
            raise Http404
        return slip_response(claim, size)

    def slip_links(self, request: HttpRequest, claim: Claim) -> list[tuple[str, str]]:
        """The claim page's buttons to the slip, when it has one and the user may print it."""
        if not has_slip(claim) or not self.has_slip_permission(request):
            return []
        return [
            (_("RMA slip (A4)"), reverse("admin:claims_claim_slip", args=[claim.pk, SlipSize.A4])),
            (_("Parcel label (A6)"), reverse("admin:claims_claim_slip", args=[claim.pk, SlipSize.A6])),
        ]
