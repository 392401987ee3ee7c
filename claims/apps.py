from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("Claims")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from claims.languages import carry_the_stored_language

        user_logged_in.connect(carry_the_stored_language, dispatch_uid="claims.carry_the_stored_language")
