"""The base of admin pages that show records written elsewhere (the shop's import, the outbox)."""

from typing import Any

from django.http import HttpRequest

from asm_portal.admin_input import CheckedInputAdmin


class ReadOnlyAdmin(CheckedInputAdmin):
    """Looked at here; added, changed and never deleted only by the code that owns the rows."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
