from django.contrib import admin
from django.urls import include, path

from claims.admin.warehouse import back_office_home
from claims.languages import set_language
from claims.portal.views import claim_photo
from shop_api.api import API_ROOT
from shop_api.api import api as shop_api

urlpatterns = [
    # The admin's home, before the admin's own: the warehouse lands on its page.
    path("admin/", admin.site.admin_view(back_office_home)),
    path("admin/", admin.site.urls),
    path(API_ROOT, shop_api.urls),
    # The language switcher's form, on the portal's pages and the admin's alike.
    path("i18n/setlang/", set_language, name="set_language"),
    # Claim photos, for their customer and for staff alike (access checked in the view).
    path("photos/<int:photo_id>/", claim_photo, name="claim_photo"),
    path(
        "photos/<int:photo_id>/thumbnail/", claim_photo, {"size": "thumbnail"}, name="claim_photo_thumbnail"
    ),
    path("", include("claims.portal.urls")),
]
