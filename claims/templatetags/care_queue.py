"""The care queue's table (claims.admin.queue)."""

from typing import Any

from django import template
from django.contrib.admin.views.main import ChangeList

from claims.admin.queue import queue_context

register = template.Library()


@register.inclusion_tag("admin/claims/claim/queue_rows.html")
def care_queue_rows(cl: ChangeList) -> dict[str, Any]:
    return queue_context(cl)
