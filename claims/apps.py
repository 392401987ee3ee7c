from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"

    def ready(self) -> None:
        from claims.page_cache import watch_writes

        connection_created.connect(watch_writes, dispatch_uid="claims.page_cache.watch_writes")
