"""The sign-in backends: a password (staff, in the admin) and a sign-in link (customers, django-sesame).

Each is its library's own, but for reading the signed-in person, which every
signed-in request does: by a read compiled once per connection
(``asm_portal.compiled_reads``), the same query as Django's ``ModelBackend``
makes, without compiling it each time.
"""

from typing import Any

from django.contrib.auth import backends
from django.core.exceptions import ValidationError
from sesame.backends import SesameBackendMixin

from asm_portal.compiled_reads import CompiledRead
from claims.models import User

_USER_BY_ID = CompiledRead(lambda pk: User._default_manager.filter(pk=pk), pk=int)


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


class SignInLinkBackend(SesameBackendMixin, PasswordBackend):
    """django-sesame's ``ModelBackend``, on ``PasswordBackend``'s read of the person."""
