"""The back office. Each module registers its own models and pages with the admin site."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from claims.admin import claims, notifications, orders, third_party, users

admin.site.site_header = _("ASM Care back office")
admin.site.site_title = _("ASM Care")
admin.site.index_title = _("Back office")

__all__ = ["claims", "notifications", "orders", "third_party", "users"]
