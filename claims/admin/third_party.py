"""The admins of django.contrib.auth and django-axes, with the input checks of every admin page here."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group

from asm_portal.admin_input import CheckedInputAdmin

admin.site.unregister([Group, AccessAttempt, AccessLog, AccessFailureLog])


@admin.register(Group)
class CheckedGroupAdmin(CheckedInputAdmin, GroupAdmin):
    pass


@admin.register(AccessAttempt)
class CheckedAccessAttemptAdmin(CheckedInputAdmin, AccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class CheckedAccessLogAdmin(CheckedInputAdmin, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class CheckedAccessFailureLogAdmin(CheckedInputAdmin, AccessFailureLogAdmin):
    pass
