"""The care queue and the claim page.

Nothing on a claim is edited through a form: each change is a step (a button
on the claim page, a small form) that calls one claim service, which locks the
claim, checks the transition and writes the audit event naming the staff member.
No one, superusers included, can delete a claim or any of its history here.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_stubs_ext import StrOrPromise

from asm_portal.admin_input import CheckedInputAdmin
from claims.admin.dashboard import DashboardPage
from claims.admin.display import (
    inspection_of,
    render_checklist,
    render_eligibility,
    render_photos,
    render_terms,
    staff_member,
)
from claims.admin.filters import DeadlineFilter, MismatchFilter, StageFilter
from claims.admin.forms.base import ClaimStepForm
from claims.admin.forms.care import ApproveForm, InternalNoteForm, RejectForm, RequestInfoForm, ResolveForm
from claims.admin.forms.filing import FileClaimForm, FindOrderForm
from claims.admin.pagination import EstimatedCountPaginator
from claims.admin.queue import (
    COLUMNS,
    QueueChangeList,
    age_in_days,
    inspection_cell,
    next_date_cell,
    next_date_labels,
)
from claims.admin.slips import SlipDownloads
from claims.admin.steps import run_step
from claims.admin.warehouse import WarehousePages
from claims.errors import ClaimError
from claims.expressions import next_date_expression
from claims.lifecycle import Status
from claims.models import Claim, ClaimEvent, Message, OrderLine, normalize_email
from claims.money import format_vnd
from claims.permissions import DECIDE_OUTCOME, REVIEW, VIEW_CLAIM
from claims.services import approve_claim


@dataclass(frozen=True)
class ClaimStep:
    """A button on the claim page: who may press it, in which statuses, and its form."""

    slug: str
    label: StrOrPromise
    permission: str
    statuses: frozenset[str]
    form_class: type[ClaimStepForm]


CARE_STEPS = [
    ClaimStep(
        "request-info",
        gettext_lazy("Ask for information"),
        REVIEW,
        frozenset({Status.SUBMITTED}),
        RequestInfoForm,
    ),
    ClaimStep("approve", gettext_lazy("Approve"), REVIEW, frozenset({Status.SUBMITTED}), ApproveForm),
    ClaimStep("reject", gettext_lazy("Reject"), REVIEW, frozenset({Status.SUBMITTED}), RejectForm),
    ClaimStep("resolve", gettext_lazy("Resolve"), DECIDE_OUTCOME, frozenset({Status.INSPECTED}), ResolveForm),
    ClaimStep("note", gettext_lazy("Internal note"), REVIEW, frozenset(Status), InternalNoteForm),
]
STEPS_BY_SLUG = {step.slug: step for step in CARE_STEPS}


class ReadOnlyHistoryInline(admin.TabularInline[Any, Claim]):
    """History shown on the claim page, as it was written: never added, changed or deleted here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(VIEW_CLAIM)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessageInline(ReadOnlyHistoryInline):
    model = Message
    fields = readonly_fields = ("created_at", "kind", "author", "body")
    verbose_name_plural = gettext_lazy("Messages")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return super().get_queryset(request).select_related("author")


def status_name(code: str) -> str:
    return str(Status(code).label) if code in Status.values else code


class ClaimEventInline(ReadOnlyHistoryInline):
    model = ClaimEvent
    fields = readonly_fields = (
        "created_at",
        "kind",
        "from_status_display",
        "to_status_display",
        "actor",
        "note",
        "customer_visible",
    )
    verbose_name_plural = gettext_lazy("Audit timeline")

    # The statuses by their names, in the reader's language; the row keeps the codes.
    @admin.display(description=gettext_lazy("from status"))
    def from_status_display(self, event: ClaimEvent) -> str:
        return status_name(event.from_status)

    @admin.display(description=gettext_lazy("to status"))
    def to_status_display(self, event: ClaimEvent) -> str:
        return status_name(event.to_status)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClaimEvent]:
        return super().get_queryset(request).select_related("actor")


@admin.register(Claim)
class ClaimAdmin(CheckedInputAdmin, WarehousePages, SlipDownloads, DashboardPage, admin.ModelAdmin[Claim]):
    list_display = COLUMNS
    list_display_links = ["rma_number"]
    list_filter = ["kind", "status", StageFilter, DeadlineFilter, MismatchFilter, "shipping_payer"]
    search_fields = [
        "rma_number",
        "=order_line__order__number",
        "order_line__order__customer__email",
        "order_line__product__name",
        "=order_line__product__sku",
    ]
    search_help_text = gettext_lazy("RMA number, order number, customer email, product name or SKU")
    list_select_related = ["order_line__order__customer", "order_line__product", "inspection"]
    # A count of every claim on each page load would cost more than the page itself:
    # no total beside a filtered count, and an estimated count for the whole queue.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["rma_number", "kind", "status", "inspection_flag", "next_date_display"]}),
        (
            gettext_lazy("Customer and order"),
            {
                "fields": [
                    "customer_display",
                    "order_display",
                    "product_display",
                    "quantity",
                    "unit_price_display",
                ]
            },
        ),
        (
            gettext_lazy("The customer's declaration"),
            {"fields": ["return_reason", "defect_category", "description", "checklist_display", "filed_by"]},
        ),
        (gettext_lazy("Photos"), {"fields": ["photos_display"]}),
        (gettext_lazy("Eligibility as filed"), {"fields": ["eligibility_display"]}),
        (
            gettext_lazy("Shipping (R6)"),
            {"fields": ["shipping_payer", "shipping_payer_note", "shipped_on", "carrier", "tracking_number"]},
        ),
        (
            gettext_lazy("Stage dates"),
            {
                "fields": [
                    "submitted_at",
                    "info_requested_at",
                    "approved_at",
                    "received_at",
                    "inspected_at",
                    "target_on",
                    "deadline_on",
                    "closed_at",
                ]
            },
        ),
        (
            gettext_lazy("Outcome"),
            {
                "fields": [
                    "outcome",
                    "outcome_note",
                    "refund_amount_display",
                    "shipping_reimbursement_display",
                    "payment_reference",
                    "reject_reason",
                ]
            },
        ),
        (gettext_lazy("Policy terms when filed"), {"fields": ["terms_display"], "classes": ["collapse"]}),
    ]

    inlines = [MessageInline, ClaimEventInline]
    actions = ["approve_selected"]

    class Media:
        css = {"all": ["admin-extra/back-office.css"]}

    # --- Permissions ------------------------------------------------------------

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return flatten_fieldsets(self.get_fieldsets(request, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Claims change only through the steps below, never through the form.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(REVIEW)

    # --- The queue --------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        return super().get_queryset(request).annotate(next_date_on=next_date_expression())

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[QueueChangeList]:
        return QueueChangeList

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Claim], search_term: str
    ) -> tuple[QuerySet[Claim], bool]:
        """An RMA number or a whole email address is looked up exactly, through its unique index."""
        term = search_term.strip()
        if " " not in term and term.upper().startswith("RMA-"):
            return queryset.filter(rma_number=term.upper()), False
        if " " not in term and "." in term.partition("@")[2]:
            return queryset.filter(order_line__order__customer__email=normalize_email(term)), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(
        description=gettext_lazy("item and customer"), ordering="order_line__order__customer__email"
    )
    def item(self, claim: Claim) -> str:
        return f"{claim.order_line.product.name} · {claim.order_line.order.customer.email}"

    @admin.display(description=gettext_lazy("age"), ordering="submitted_at")
    def age(self, claim: Claim) -> str:
        return age_in_days((timezone.localdate() - timezone.localdate(claim.submitted_at)).days)

    @admin.display(description=gettext_lazy("next date"), ordering=F("next_date_on").asc(nulls_last=True))
    def next_date(self, claim: Claim) -> SafeString | str:
        return next_date_cell(
            status=claim.status,
            next_on=getattr(claim, "next_date_on", None),
            target_on=claim.target_on,
            deadline_on=claim.deadline_on,
            today=timezone.localdate(),
            labels=next_date_labels(),
        )

    @admin.display(description=gettext_lazy("inspection"))
    def inspection_flag(self, claim: Claim) -> SafeString | str:
        inspection = inspection_of(claim)
        return inspection_cell(None if inspection is None else inspection.mismatches)

    # --- The claim page ---------------------------------------------------------

    @admin.display(description=gettext_lazy("next date"))
    def next_date_display(self, claim: Claim) -> SafeString | str:
        return self.next_date(claim)

    @admin.display(description=gettext_lazy("customer"))
    def customer_display(self, claim: Claim) -> SafeString:
        customer = claim.order_line.order.customer
        return format_html(
            '<a href="{}">{}</a> &lt;{}&gt;',
            reverse("admin:claims_customer_change", args=[customer.pk]),
            customer.full_name or customer.email,
            customer.email,
        )

    @admin.display(description=gettext_lazy("order"))
    def order_display(self, claim: Claim) -> SafeString:
        order = claim.order_line.order
        return format_html(
            '<a href="{}">{}</a> · {} {} · {} {}',
            reverse("admin:claims_order_change", args=[order.pk]),
            order.number,
            _("purchased"),
            order.purchased_on.isoformat(),
            _("delivered"),
            order.delivered_on.isoformat() if order.delivered_on else _("not yet"),
        )

    @admin.display(description=gettext_lazy("product"))
    def product_display(self, claim: Claim) -> str:
        return str(claim.order_line.product)

    @admin.display(description=gettext_lazy("unit price"))
    def unit_price_display(self, claim: Claim) -> str:
        return format_vnd(claim.order_line.unit_price) or "—"

    @admin.display(description=gettext_lazy("refund amount"))
    def refund_amount_display(self, claim: Claim) -> str:
        return format_vnd(claim.refund_amount) or "—"

    @admin.display(description=gettext_lazy("shipping reimbursed"))
    def shipping_reimbursement_display(self, claim: Claim) -> str:
        return format_vnd(claim.shipping_reimbursement) or "—"

    @admin.display(description=gettext_lazy("declared and found"))
    def checklist_display(self, claim: Claim) -> SafeString:
        return render_checklist(claim)

    @admin.display(description=gettext_lazy("photos"))
    def photos_display(self, claim: Claim) -> SafeString:
        return render_photos(claim)

    @admin.display(description=gettext_lazy("verdict"))
    def eligibility_display(self, claim: Claim) -> SafeString:
        return render_eligibility(claim)

    @admin.display(description=gettext_lazy("terms"))
    def terms_display(self, claim: Claim) -> SafeString:
        return render_terms(claim)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        claim = self.get_object(request, unquote(object_id))
        buttons = []
        if claim is not None:
            buttons = [
                (step.label, reverse("admin:claims_claim_step", args=[claim.pk, step.slug]))
                for step in CARE_STEPS
                if claim.status in step.statuses and request.user.has_perm(step.permission)
            ]
            if claim.status in (Status.APPROVED, Status.RECEIVED) and self.has_warehouse_permission(request):
                buttons.append(
                    (_("Warehouse"), reverse("admin:claims_claim_warehouse_claim", args=[claim.pk]))
                )
            buttons += self.slip_links(request, claim)
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "claim_steps": buttons}
        )

    # --- Steps ------------------------------------------------------------------

    def step_view(self, request: HttpRequest, object_id: int, slug: str) -> HttpResponse:
        """One step on one claim: a small form calling one service; a refusal is shown, nothing changes."""
        step = STEPS_BY_SLUG.get(slug)
        if step is None:
            raise Http404
        if not request.user.has_perm(step.permission):
            raise PermissionDenied
        claim = self.get_object(request, str(object_id))
        if claim is None:
            raise Http404
        change_url = reverse("admin:claims_claim_change", args=[claim.pk])
        if request.method != "POST":
            if claim.status not in step.statuses:
                self.message_user(
                    request,
                    _("Claim %(rma)s is “%(status)s”: nothing to do here.")
                    % {"rma": claim.rma_number, "status": claim.get_status_display()},
                    messages.WARNING,
                )
                return HttpResponseRedirect(change_url)
            form = step.form_class(claim=claim)
        else:
            form = step.form_class(request.POST, request.FILES, claim=claim)
            if form.is_valid():
                outcome = run_step(self, request, form, lambda: form.perform(actor=staff_member(request)))
                if outcome.done is not None:
                    self.message_user(request, outcome.done, messages.SUCCESS)
                if outcome.done is not None or outcome.moved_on:
                    return HttpResponseRedirect(change_url)
        return TemplateResponse(
            request,
            "admin/claims/claim/step_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"{step.label}: {claim.rma_number}",
                "step": step,
                "claim": claim,
                "form": form,
                "change_url": change_url,
            },
        )

    @admin.action(
        description=gettext_lazy("Approve the selected claims (payer as the policy says)"),
        permissions=["review"],
    )
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        approved = 0
        for claim in queryset:
            try:
                approve_claim(claim=claim, actor=staff_member(request))
            except ClaimError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                approved += 1
        if approved:
            self.message_user(
                request,
                ngettext("%(count)d claim approved.", "%(count)d claims approved.", approved)
                % {"count": approved},
                messages.SUCCESS,
            )

    # --- Filing for a customer (RP1, WP1) -----------------------------------------

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """File a claim for a customer who phoned or emailed: the same checks, the staff member recorded."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        find_form = FindOrderForm(request.GET or None)
        order_lines = OrderLine.objects.none()
        if find_form.is_valid():
            order_lines = OrderLine.objects.filter(
                order__number__iexact=find_form.cleaned_data["order"].strip()
            ).select_related("order__customer", "product")
            if not order_lines:
                find_form.add_error("order", _("No order has this number."))
        form = None
        if order_lines:
            form = FileClaimForm(request.POST or None, request.FILES or None, order_lines=order_lines)
            if request.method == "POST" and form.is_valid():
                filing_form = form
                claim = run_step(
                    self, request, form, lambda: filing_form.perform(actor=staff_member(request))
                ).done
                if claim is not None:
                    self.message_user(
                        request,
                        _("%(rma)s filed for %(customer)s.")
                        % {"rma": claim.rma_number, "customer": claim.order_line.order.customer.email},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[claim.pk]))
        return TemplateResponse(
            request,
            "admin/claims/claim/file_claim.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("File a claim for a customer"),
                "find_form": find_form,
                "form": form,
                "order": order_lines[0].order if order_lines else None,
            },
        )

    # --- Pages ----------------------------------------------------------------------

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        columns = list(self.get_list_display(request))
        if self.get_actions(request):
            columns.insert(0, "action_checkbox")
        urgent = request.GET.copy()
        urgent["o"] = str(columns.index("next_date"))
        if "queue" not in urgent and "status__exact" not in urgent:
            # Urgency is about open claims; sorting only those keeps the page fast with a long history.
            urgent["queue"] = "open"
        newest = request.GET.copy()
        newest.pop("o", None)
        context = {
            "urgent_url": f"?{urgent.urlencode()}",
            "newest_url": f"?{newest.urlencode()}",
            "has_warehouse_permission": self.has_warehouse_permission(request),
            "has_dashboard_permission": self.has_dashboard_permission(request),
        }
        return super().changelist_view(request, {**(extra_context or {}), **context})

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("warehouse/", view(self.warehouse_view), name="claims_claim_warehouse"),
            path(
                "warehouse/<int:object_id>/",
                view(self.warehouse_claim_view),
                name="claims_claim_warehouse_claim",
            ),
            path("dashboard/", view(self.dashboard_view), name="claims_claim_dashboard"),
            path("<int:object_id>/slip-<slug:size>.pdf", view(self.slip_view), name="claims_claim_slip"),
            path("<int:object_id>/step/<slug:slug>/", view(self.step_view), name="claims_claim_step"),
            *super().get_urls(),
        ]
