"""Order files from the admin: checked and previewed by a dry run, imported by a Celery task once confirmed.

Both steps are ``claims.importing.import_order_file``, the code behind
``manage.py import_orders`` and the API: the preview runs it in a transaction
that is rolled back, so its counts of what would be created and updated are
the import's own. The import itself runs in the task, reporting how many rows
it has read through the cache (its own transaction is not visible until it
ends), for the page's progress bar.
"""

import logging
from dataclasses import asdict
from functools import partial
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from claims.importing import ImportRefused, ImportSummary, import_order_file
from claims.models import User
from claims.outbox import publish_task
from shop_api.models import OrderFileImport

logger = logging.getLogger(__name__)

IMPORT_TASK = "shop_api.tasks.import_order_file"
PROGRESS_EVERY_ROWS = 200


class _DryRun(Exception):
    def __init__(self, summary: ImportSummary) -> None:
        super().__init__("preview only")
        self.summary = summary


def _summary(summary: ImportSummary) -> dict[str, object]:
    return {"rows": summary.rows, "text": str(summary), **asdict(summary)}


def _path(upload: OrderFileImport) -> Path:
    return Path(upload.file.path)


def preview_order_file(*, upload: OrderFileImport, uploaded_by: User) -> OrderFileImport:
    """Store a new upload (its file assigned) and preview it: what would be created and updated, or
    every problem. Nothing is imported."""
    upload.original_name = Path(upload.file.name or "orders").name[:255]
    upload.uploaded_by = uploaded_by
    upload.state = OrderFileImport.State.REFUSED
    upload.save()  # stores the file
    path = _path(upload)
    try:
        with transaction.atomic():
            raise _DryRun(import_order_file(path, today=timezone.localdate()))
    except _DryRun as dry_run:
        upload.state = OrderFileImport.State.PREVIEWED
        upload.summary = _summary(dry_run.summary)
        upload.rows = dry_run.summary.rows
    except ImportRefused as refused:
        upload.problems = [str(problem) for problem in refused.problems]
    upload.save(update_fields=["state", "summary", "rows", "problems"])
    return upload


def confirm_order_file(*, upload_id: int) -> bool:
    """Queue a previewed file's import; False when it is not waiting for confirmation (no double import)."""
    with transaction.atomic():
        confirmed = OrderFileImport.objects.filter(
            pk=upload_id, state=OrderFileImport.State.PREVIEWED
        ).update(state=OrderFileImport.State.IMPORTING)
        if confirmed:
            transaction.on_commit(partial(_enqueue, upload_id=upload_id), robust=True)
    return bool(confirmed)


def _enqueue(*, upload_id: int) -> None:
    try:
        publish_task(IMPORT_TASK, args=[upload_id])
    except Exception:
        # Nothing is lost: the file waits "importing", and the page says to confirm again once Redis is back.
        logger.warning("Could not queue the import of order file %s.", upload_id, exc_info=True)
        OrderFileImport.objects.filter(pk=upload_id, state=OrderFileImport.State.IMPORTING).update(
            state=OrderFileImport.State.PREVIEWED
        )


def _progress_key(upload_id: int) -> str:
    return f"order-import:{upload_id}:rows-read"


def rows_read(upload: OrderFileImport) -> int:
    if upload.state == OrderFileImport.State.IMPORTED:
        return upload.rows
    if upload.state != OrderFileImport.State.IMPORTING:
        return 0
    return int(cache.get(_progress_key(upload.pk)) or 0)


def run_order_file_import(*, upload_id: int) -> None:
    """The task's work: import a confirmed file, all or nothing. A second run finds nothing to do."""
    upload = OrderFileImport.objects.filter(pk=upload_id, state=OrderFileImport.State.IMPORTING).first()
    if upload is None:
        return
    read = 0

    def progress(rows: int) -> None:
        nonlocal read
        read += rows
        if read % PROGRESS_EVERY_ROWS == 0:
            cache.set(_progress_key(upload_id), read, timeout=3600)

    try:
        summary = import_order_file(_path(upload), today=timezone.localdate(), progress=progress)
    except ImportRefused as refused:  # the database changed since the preview
        upload.state = OrderFileImport.State.REFUSED
        upload.problems = [str(problem) for problem in refused.problems]
    else:
        upload.state = OrderFileImport.State.IMPORTED
        upload.summary = _summary(summary)
        upload.rows = summary.rows
    upload.finished_at = timezone.now()
    upload.save(update_fields=["state", "problems", "summary", "rows", "finished_at"])
    cache.delete(_progress_key(upload_id))
