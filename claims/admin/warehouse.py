"""The warehouse and warranty-center page: scan an RMA, mark the parcel received, record the inspection.

Made for a phone at the receiving desk; warehouse staff see only what they need
to handle the parcel, nothing of the care queue: only a claim the warehouse can
act on (approved: a parcel is expected; received: it awaits inspection) opens
here, any other answers 404, and the customer's own description is not shown.
"""

from typing import Any, NamedTuple

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from claims.admin.display import staff_member
from claims.admin.forms.base import ClaimStepForm
from claims.admin.forms.warehouse import InspectionForm, ReceiveForm
from claims.admin.steps import run_step
from claims.lifecycle import Status
from claims.links import link_for_each
from claims.models import Claim
from claims.permissions import INSPECT, RECEIVE
from claims.selectors import parcel_receipt

WAREHOUSE_STEPS: dict[str, tuple[str, Status, type[ClaimStepForm]]] = {
    "receive": (RECEIVE, Status.APPROVED, ReceiveForm),
    "inspect": (INSPECT, Status.RECEIVED, InspectionForm),
}
WAREHOUSE_STATUSES = frozenset(status for _permission, status, _form in WAREHOUSE_STEPS.values())


class Parcel(NamedTuple):
    """A parcel on the warehouse page's list: where it opens, what it is, its deadline."""

    url: str
    rma_number: str
    product: str
    deadline_on: str


def normalize_rma(typed: str) -> str:
    """What a person types or a scanner sends, as stored: ``rma-2026-000012`` → ``RMA-2026-000012``."""
    rma = typed.strip().upper()
    return rma if rma.startswith("RMA-") else f"RMA-{rma}"


def already_received(claim: Claim) -> str:
    """When and by whom the parcel was received, said to whoever scans or receives it again; else ""."""
    receipt = parcel_receipt(claim)
    if receipt is None:
        return ""
    claim.refresh_from_db(fields=["status"])
    return _("%(rma)s was already received on %(when)s by %(who)s; it is now “%(status)s”.") % {
        "rma": claim.rma_number,
        "when": date_format(timezone.localtime(receipt.received_at), "DATETIME_FORMAT"),
        "who": receipt.received_by or _("the system"),
        "status": claim.get_status_display(),
    }


def back_office_home(request: HttpRequest) -> HttpResponse:
    """The admin's home page; staff whose only page is the warehouse's (no model to list) land on it."""
    user = request.user
    warehouse_only = (user.has_perm(RECEIVE) or user.has_perm(INSPECT)) and not admin.site.get_app_list(
        request
    )
    if warehouse_only:
        return redirect("admin:claims_claim_warehouse")
    return admin.site.index(request)


class WarehousePages(admin.ModelAdmin[Claim]):
    def has_warehouse_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(RECEIVE) or request.user.has_perm(INSPECT)

    def _warehouse_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.opts, **context}

    def warehouse_view(self, request: HttpRequest) -> HttpResponse:
        """Type or scan an RMA number and land on that claim."""
        if not self.has_warehouse_permission(request):
            raise PermissionDenied
        typed = request.GET.get("rma", "")
        if typed.strip():
            claim = (
                Claim.objects.filter(rma_number=normalize_rma(typed))
                .only("pk", "status", "rma_number")
                .first()
            )
            self._tell_about_scan(request, typed.strip(), claim)
            if claim is not None and claim.status in WAREHOUSE_STATUSES:
                return redirect("admin:claims_claim_warehouse_claim", claim.pk)
        parcel_link = link_for_each("admin:claims_claim_warehouse_claim")
        awaiting_inspection = [
            Parcel(parcel_link(pk), str(rma_number), product, deadline_on.isoformat() if deadline_on else "")
            for pk, rma_number, product, deadline_on in (
                # Read in order through the partial index ``claim_awaiting_inspection``.
                Claim.objects.filter(status=Status.RECEIVED)
                .order_by("deadline_on", "pk")
                .values_list("pk", "rma_number", "order_line__product__name", "deadline_on")[:50]
            )
        ]
        return TemplateResponse(
            request,
            "admin/claims/claim/warehouse.html",
            self._warehouse_context(
                request, title=_("Warehouse"), typed=typed, awaiting_inspection=awaiting_inspection
            ),
        )

    def _tell_about_scan(self, request: HttpRequest, typed: str, claim: Claim | None) -> None:
        """What a scan found, unless simply a parcel to receive: no claim, no parcel, or received already.

        A parcel scanned twice is no error: the second scan says when and by whom it was received.
        """
        if claim is None:
            self.message_user(
                request, _("No claim has the RMA number “%(rma)s”.") % {"rma": typed}, messages.ERROR
            )
            return
        already = already_received(claim)
        if already:
            self.message_user(request, already, messages.WARNING)
        elif claim.status not in WAREHOUSE_STATUSES:
            message = _("%(rma)s is “%(status)s”: the warehouse is not expecting its parcel.")
            facts = {"rma": claim.rma_number, "status": claim.get_status_display()}
            self.message_user(request, message % facts, messages.ERROR)

    def warehouse_claim_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """One parcel: mark it received, or record the inspection beside the declaration."""
        if not self.has_warehouse_permission(request):
            raise PermissionDenied
        claim = (
            Claim.objects.select_related("order_line__order", "order_line__product")
            .filter(pk=object_id, status__in=WAREHOUSE_STATUSES)
            .first()
        )
        if claim is None:
            raise Http404
        forms: dict[str, ClaimStepForm] = {}
        for step, (permission, status, form_class) in WAREHOUSE_STEPS.items():
            if claim.status == status and request.user.has_perm(permission):
                forms[step] = form_class(claim=claim)
        if request.method == "POST":
            response = self._warehouse_post(request, claim, forms)
            if response is not None:
                return response
        return TemplateResponse(
            request,
            "admin/claims/claim/warehouse_claim.html",
            self._warehouse_context(
                request,
                title=claim.rma_number,
                claim=claim,
                receive_form=forms.get("receive"),
                inspection_form=forms.get("inspect"),
            ),
        )

    def _warehouse_post(
        self, request: HttpRequest, claim: Claim, forms: dict[str, ClaimStepForm]
    ) -> HttpResponse | None:
        step = request.POST.get("step", "")
        if step not in WAREHOUSE_STEPS:
            raise Http404
        permission, _status, form_class = WAREHOUSE_STEPS[step]
        if not request.user.has_perm(permission):
            raise PermissionDenied
        form = form_class(request.POST, request.FILES, claim=claim)
        forms[step] = form
        if not form.is_valid():
            return None
        outcome = run_step(
            self,
            request,
            form,
            lambda: form.perform(actor=staff_member(request)),
            # A parcel scanned twice: when and by whom it was received.
            explain_moved_on=lambda: already_received(claim) if step == "receive" else "",
        )
        if outcome.done is not None:
            self.message_user(request, outcome.done, messages.SUCCESS)
        # Done, or someone else acted first: the claim as it is now.
        return self._after_step(claim) if outcome.done is not None or outcome.moved_on else None

    def _after_step(self, claim: Claim) -> HttpResponse:
        """Back to the parcel while the warehouse still has work on it, else to the scan of the next."""
        if Claim.objects.filter(pk=claim.pk, status__in=WAREHOUSE_STATUSES).exists():
            return HttpResponseRedirect(reverse("admin:claims_claim_warehouse_claim", args=[claim.pk]))
        return HttpResponseRedirect(reverse("admin:claims_claim_warehouse"))
