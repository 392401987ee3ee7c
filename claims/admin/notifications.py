"""The email outbox in the admin: every email's delivery state, and the managers' retry of failed ones."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy, ngettext

from claims.admin.read_only import ReadOnlyAdmin
from claims.models import Notification
from claims.outbox import retry_notifications

# Care managers hold it (migration 0004); nothing else changes a row here.
RETRY = "claims.change_notification"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The outbox writes the rows; the admin only looks at them, and never deletes the record of an email."""

    list_display = [
        "created_at",
        "template_key",
        "recipient",
        "claim",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "error_summary",
    ]
    list_filter = ["state", "template_key"]
    list_select_related = ["claim"]
    search_fields = ["=recipient", "claim__rma_number", "=unique_key"]
    show_full_result_count = False
    fields = readonly_fields = (
        "template_key",
        "recipient",
        "claim",
        "unique_key",
        "context",
        "state",
        "attempts",
        "next_attempt_at",
        "lease_expires_at",
        "sent_at",
        "last_error",
        "created_at",
    )
    actions = ["retry"]

    @admin.display(description=gettext_lazy("last error"))
    def error_summary(self, notification: Notification) -> str:
        return Truncator(notification.last_error).chars(80)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(RETRY)

    @admin.action(description=gettext_lazy("Retry the selected failed emails"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        selected = list(queryset.values_list("pk", flat=True))
        retried = retry_notifications(notification_ids=selected)
        if retried:
            self.message_user(
                request,
                ngettext("%(count)d email queued again.", "%(count)d emails queued again.", retried)
                % {"count": retried},
                messages.SUCCESS,
            )
        if len(selected) > retried:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email was not retried: only failed emails can be.",
                    "%(count)d emails were not retried: only failed emails can be.",
                    len(selected) - retried,
                )
                % {"count": len(selected) - retried},
                messages.WARNING,
            )
