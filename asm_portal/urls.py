from django.contrib import admin
from django.urls import path

from asm_portal.views import liveness

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", liveness, name="liveness"),
]
