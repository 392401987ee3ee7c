"""Policy terms and closure days, edited by care managers."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from asm_portal.admin_input import CheckedInputAdmin
from policies.models import ClosureDay, PolicyTerms


@admin.register(PolicyTerms)
class PolicyTermsAdmin(CheckedInputAdmin):
    """The one row of terms in force. Claims already filed keep their snapshot; edits apply to new ones."""

    list_display = ["__str__", "return_window_days", "warranty_months", "updated_at"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (
            _("Windows (R1, W1)"),
            {
                "fields": ["return_window_days", "warranty_months"],
                "description": _(
                    "Changes apply to claims filed from now on; "
                    "every claim keeps the terms it was filed under."
                ),
            },
        ),
        (
            _("Processing after receipt (RP4, WP4)"),
            {
                "fields": [
                    "refund_target_business_days",
                    "refund_deadline_business_days",
                    "repair_target_business_days",
                    "repair_deadline_business_days",
                ]
            },
        ),
        (
            _("Reminders and expiry"),
            {"fields": ["ship_reminder_days", "ship_expiry_days", "info_reminder_days", "info_expiry_days"]},
        ),
        (_("Addresses (RP3, WP3)"), {"fields": ["warehouse_address", "warranty_center_address"]}),
        (_("Contact (C1)"), {"fields": ["contact_email", "contact_phone", "contact_hours", "updated_at"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row of terms is in force; it is seeded by a migration and edited, never duplicated.
        return not PolicyTerms.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClosureDay)
class ClosureDayAdmin(CheckedInputAdmin):
    """Company closures: not business days for RP4 / WP4 clocks of parcels received from now on."""

    list_display = ["date", "description"]
    search_fields = ["description"]
    date_hierarchy = "date"
    ordering = ["-date"]
