"""The Celery application: configured from Django settings (the ``CELERY_*`` names), Redis as broker.

Run in production as separate processes: any number of workers consuming
``emails,sweeps,webhooks,celery``, and exactly one ``celery -A asm_portal beat``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asm_portal.settings")

app = Celery("asm_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
