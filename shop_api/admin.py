"""The back office's pages for the shop: API keys, webhook endpoints, deliveries, and order files.

A key's token and an endpoint's secret are shown once, on the page answering
the form that made them (never through a redirect, a message or a session),
and are stored nowhere.
"""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.validators import FileExtensionValidator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from asm_portal.admin_input import CheckedInputAdmin
from claims.admin.read_only import ReadOnlyAdmin
from shop_api import keys, order_files, webhooks
from shop_api.models import (
    ApiKey,
    OrderFileImport,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

SHOWN_ONCE = "_shown_once"


def _shown_once_page(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    *,
    subject: str,
    explanation: str,
    secrets: Sequence[tuple[str, str]],
) -> HttpResponse:
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "title": subject,
        "subject": subject,
        "explanation": explanation,
        "secrets": secrets,
        "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
    }
    response = TemplateResponse(request, "admin/shop_api/shown_once.html", context)
    add_never_cache_headers(response)
    return response


@admin.register(ApiKey)
class ApiKeyAdmin(CheckedInputAdmin):
    list_display = ["name", "prefix", "can_write_orders", "can_read_claims", "last_used_at", "revoked_at"]
    list_filter = ["can_write_orders", "can_read_claims"]
    search_fields = ["name", "=prefix"]
    fields = ("name", "can_write_orders", "can_read_claims")
    readonly_fields = ("prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        return self.fields if obj is None else (*self.fields, *self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        return () if obj is None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked, never deleted: the record says who called with it

    def save_model(self, request: HttpRequest, obj: ApiKey, form: forms.ModelForm[Any], change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
            setattr(obj, SHOWN_ONCE, keys.issue_token(obj))
        super().save_model(request, obj, form, change)

    def response_add(
        self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None
    ) -> HttpResponse:
        return _shown_once_page(
            self,
            request,
            subject=_("API key “%(name)s” created") % {"name": obj.name},
            explanation=_("The shop sends this key as “Authorization: Bearer <key>”."),
            secrets=[(obj.name, getattr(obj, SHOWN_ONCE))],
        )

    @admin.action(description=gettext_lazy("Revoke the selected API keys"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        revoked = keys.revoke_api_keys(key_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", revoked) % {"count": revoked},
            messages.SUCCESS,
        )


class WebhookEndpointForm(forms.ModelForm[WebhookEndpoint]):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=gettext_lazy("events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "is_active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(CheckedInputAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "event_list", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["created_at", "created_by"]
    actions = ["new_secrets"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivated, never deleted: its deliveries stay on record

    @admin.display(description=gettext_lazy("events"))
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: forms.ModelForm[Any], change: bool
    ) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
            setattr(obj, SHOWN_ONCE, webhooks.new_secret(obj))
        super().save_model(request, obj, form, change)

    def response_add(
        self, request: HttpRequest, obj: WebhookEndpoint, post_url_continue: str | None = None
    ) -> HttpResponse:
        return _shown_once_page(
            self,
            request,
            subject=_("Webhook endpoint “%(name)s” created") % {"name": obj.name},
            explanation=_("The shop checks each request's ASM-Signature header with this secret."),
            secrets=[(obj.name, getattr(obj, SHOWN_ONCE))],
        )

    @admin.action(description=gettext_lazy("Give the selected endpoints new secrets"), permissions=["change"])
    def new_secrets(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> HttpResponse:
        shown: list[tuple[str, str]] = []
        for endpoint in queryset:
            shown.append((endpoint.name, webhooks.new_secret(endpoint)))
            endpoint.save(update_fields=["secret_salt"])
        return _shown_once_page(
            self,
            request,
            subject=_("New webhook secrets"),
            explanation=_("The old secrets no longer sign anything; give the shop these."),
            secrets=shown,
        )


class WebhookAttemptInline(admin.TabularInline[WebhookAttempt, WebhookDelivery]):
    model = WebhookAttempt
    fields = readonly_fields = ("started_at", "duration_ms", "status_code", "error", "response_body")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The webhooks write the rows; managers look, and send one again."""

    list_display = (
        "created_at",
        "event",
        "endpoint",
        "claim",
        "state",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "error_summary",
    )
    list_filter = ["state", "event", "endpoint"]
    list_select_related = ["endpoint", "claim"]
    search_fields = ["claim__rma_number", "=event_id"]
    show_full_result_count = False
    fields = readonly_fields = (
        "endpoint",
        "event",
        "event_id",
        "claim",
        "state",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_error",
        "created_at",
        "body",
    )
    inlines = [WebhookAttemptInline]
    actions = ["redeliver"]

    @admin.display(description=gettext_lazy("last error"))
    def error_summary(self, delivery: WebhookDelivery) -> str:
        return Truncator(delivery.last_error).chars(80)

    def has_redeliver_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("shop_api.redeliver_webhookdelivery")

    @admin.action(description=gettext_lazy("Send the selected webhooks again"), permissions=["redeliver"])
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        selected = list(queryset.values_list("pk", flat=True))
        queued = webhooks.redeliver(delivery_ids=selected)
        self.message_user(
            request,
            ngettext("%(count)d webhook queued again.", "%(count)d webhooks queued again.", queued)
            % {"count": queued},
            messages.SUCCESS,
        )
        if len(selected) > queued:
            self.message_user(
                request,
                _("%(count)d were being sent at that moment and were left alone.")
                % {"count": len(selected) - queued},
                messages.WARNING,
            )


class OrderFileForm(forms.ModelForm[OrderFileImport]):
    file = forms.FileField(
        label=gettext_lazy("order file"),
        help_text=gettext_lazy(
            "CSV with a header line, or a JSON array, UTF-8: the columns of “manage.py import_orders” "
            "(see the README). It is checked first; nothing is imported until you confirm."
        ),
        validators=[FileExtensionValidator(["csv", "json"])],
    )

    class Meta:
        model = OrderFileImport
        fields = ["file"]


@admin.register(OrderFileImport)
class OrderFileImportAdmin(CheckedInputAdmin):
    """Upload, preview, confirm, watch the progress: the import's own code at each step."""

    form = OrderFileForm
    change_form_template = "admin/shop_api/orderfileimport/change_form.html"
    list_display = ["uploaded_at", "original_name", "uploaded_by", "state", "rows", "finished_at"]
    list_filter = ["state"]
    list_select_related = ["uploaded_by"]
    readonly_fields = (
        "original_name",
        "uploaded_by",
        "uploaded_at",
        "state",
        "rows",
        "what_it_does",
        "problem_list",
        "finished_at",
    )

    def get_fields(self, request: HttpRequest, obj: OrderFileImport | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("file",)
        # A refused file has problems and nothing it would do; an accepted one the reverse.
        hidden = {"rows", "what_it_does"} if obj.problems else {"problem_list"}
        return tuple(name for name in self.readonly_fields if name not in hidden)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("what it does"))
    def what_it_does(self, upload: OrderFileImport) -> str:
        return str(upload.summary.get("text", "—"))

    @admin.display(description=gettext_lazy("problems"))
    def problem_list(self, upload: OrderFileImport) -> str:
        return format_html_join("", "<div>{}</div>", ((problem,) for problem in upload.problems)) or "—"

    def save_model(
        self, request: HttpRequest, obj: OrderFileImport, form: forms.ModelForm[Any], change: bool
    ) -> None:
        order_files.preview_order_file(upload=obj, uploaded_by=request.user)  # type: ignore[arg-type]

    def response_add(
        self, request: HttpRequest, obj: OrderFileImport, post_url_continue: str | None = None
    ) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:shop_api_orderfileimport_change", args=[obj.pk]))

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:upload_id>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="shop_api_orderfileimport_confirm",
            ),
            path(
                "<int:upload_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="shop_api_orderfileimport_progress",
            ),
            *super().get_urls(),
        ]

    def confirm_view(self, request: HttpRequest, upload_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        if order_files.confirm_order_file(upload_id=upload_id):
            self.message_user(request, _("The import has started."), messages.SUCCESS)
        else:
            self.message_user(request, _("This file is not waiting to be imported."), messages.WARNING)
        return HttpResponseRedirect(reverse("admin:shop_api_orderfileimport_change", args=[upload_id]))

    def progress_view(self, request: HttpRequest, upload_id: int) -> JsonResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        upload = get_object_or_404(OrderFileImport, pk=upload_id)
        return JsonResponse(
            {"state": upload.state, "rows": upload.rows, "rows_read": order_files.rows_read(upload)}
        )
