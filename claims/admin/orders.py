"""Orders, customers and products in the back office: read-only for care staff (orders come from the shop)."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from claims.admin.read_only import ReadOnlyAdmin
from claims.models import Customer, Order, OrderLine, Product


class OrderLineInline(admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    fields = readonly_fields = ("product", "quantity", "unit_price")
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("claims.view_order")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderLine]:
        return super().get_queryset(request).select_related("product")


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "customer", "purchased_on", "delivered_on"]
    list_select_related = ["customer"]
    search_fields = ["=number", "customer__email"]
    date_hierarchy = "purchased_on"
    show_full_result_count = False
    fields = readonly_fields = ("number", "customer", "purchased_on", "delivered_on")
    inlines = [OrderLineInline]


class CustomerOrderInline(admin.TabularInline[Order, Customer]):
    model = Order
    fk_name = "customer"
    fields = readonly_fields = ("number", "purchased_on", "delivered_on")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("claims.view_customer")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ["email", "full_name", "date_joined"]
    search_fields = ["email", "full_name"]
    show_full_result_count = False
    fields = readonly_fields = ("email", "full_name", "date_joined", "last_login")
    inlines = [CustomerOrderInline]


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["sku", "name"]
    search_fields = ["sku", "name"]
    fields = readonly_fields = ("sku", "name")
