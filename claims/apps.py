from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"

    def ready(self) -> None:
        from claims.page_cache import renew_after_migrate, watch_writes

        connection_created.connect(watch_writes, dispatch_uid="claims.page_cache.watch_writes")
        post_migrate.connect(renew_after_migrate, dispatch_uid="claims.page_cache.renew_after_migrate")
