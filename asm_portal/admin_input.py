"""What every admin list page reads from its address and its action form, checked before any query.

Django's list page turns most malformed filters into its "invalid lookup"
notice, but not three inputs: a date drill-down beyond the calendar (a 20-digit
year, the last day of year 9999) raises ``OverflowError`` or an unguarded
``ValueError``; a value its column cannot hold (not an IP address, for an IP
column) fails only when the query is compiled; and an action's selected ids go
to ``pk__in`` unchecked, so ``abc`` raises ``ValueError``. All were 500s. Every admin of the site,
the third-party ones included (``claims.admin.third_party``), takes
``CheckedInputAdmin`` first among its bases.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _


class CheckedChangeList(ChangeList):
    def get_filters(self, request: HttpRequest) -> Any:
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            # Only a drill-down date outside the calendar gets here: the admin's "invalid lookup" notice.
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request: HttpRequest) -> None:
        try:
            super().get_results(request)
        except ValueError as error:
            # A filter value its column's type cannot take, found when the count is compiled
            # (``ip_address__exact=abc`` on PostgreSQL's inet): the same notice.
            raise IncorrectLookupParameters(error) from error


class CheckedInputAdmin(admin.ModelAdmin[Any]):
    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return CheckedChangeList

    def response_action(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        """Runs the action only when every selected id is one this model's key can hold."""
        try:
            for selected in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                self.opts.pk.to_python(selected)
        except ValidationError:
            self.message_user(
                request, _("The selection was not understood; select the rows again."), messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)
