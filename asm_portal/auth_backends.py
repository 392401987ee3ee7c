"""The sign-in backends: a password (staff, in the admin) and a sign-in link (customers, django-sesame).

Each is its library's own, but for what every signed-in request reads: the
person, and for staff their permissions (every admin page checks them). Those
are read by reads compiled once per connection (``asm_portal.compiled_reads``):
the same queries as Django's ``ModelBackend`` makes, without compiling them each
time, and as fresh (a permission taken away counts from the next request).
"""

from typing import Any

from django.contrib.auth import backends
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import ValidationError
from sesame.backends import SesameBackendMixin

from asm_portal.compiled_reads import CompiledRead
from claims.models import User

_USER_BY_ID = CompiledRead(lambda pk: User._default_manager.filter(pk=pk), pk=int)
# A permission as "app_label.codename" is read as these two columns.
_PERMISSION_NAME = ("content_type__app_label", "codename")
_PERMISSIONS_BY_SOURCE = {
    "user": CompiledRead(
        lambda user_id: Permission.objects.filter(user=user_id).values_list(*_PERMISSION_NAME).order_by(),
        user_id=int,
    ),
    "group": CompiledRead(
        lambda user_id: (
            Permission.objects.filter(group__user=user_id).values_list(*_PERMISSION_NAME).order_by()
        ),
        user_id=int,
    ),
}
_EVERY_PERMISSION = CompiledRead(lambda: Permission.objects.values_list(*_PERMISSION_NAME).order_by())


class PasswordBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        """As ``ModelBackend.get_user``: the active person with this id, or None."""
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        try:
            user = _USER_BY_ID.get(pk=pk)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def _get_permissions(self, user_obj: User | AnonymousUser, obj: object, from_name: str) -> set[str]:
        """As ``ModelBackend._get_permissions`` (which ``get_user_permissions`` and
        ``get_group_permissions`` call), kept on the person for the request."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cache_name = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, cache_name):
            if user_obj.is_superuser:
                rows = _EVERY_PERMISSION.rows()
            else:
                rows = _PERMISSIONS_BY_SOURCE[from_name].rows(user_id=user_obj.pk)
            setattr(user_obj, cache_name, {f"{app_label}.{codename}" for app_label, codename in rows})
        permissions: set[str] = getattr(user_obj, cache_name)
        return permissions


class SignInLinkBackend(SesameBackendMixin, PasswordBackend):
    """django-sesame's ``ModelBackend``, on ``PasswordBackend``'s read of the person."""
