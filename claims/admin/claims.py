"""Claims, orders and customers in the admin (the back-office issue builds this out)."""

from django.contrib import admin

from claims.models import Claim


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin[Claim]):
    list_display = ["rma_number", "kind", "status", "submitted_at"]
    search_fields = ["rma_number"]
