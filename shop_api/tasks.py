"""Celery tasks for the webhooks: thin interfaces, retry state kept on the rows (as ``claims.tasks``)."""

from celery import shared_task

from shop_api import order_files, webhooks


@shared_task(name="shop_api.tasks.deliver_webhook")
def deliver_webhook(delivery_id: int) -> None:
    """POST one delivery; does nothing when it is delivered, held by another worker, or not yet due."""
    webhooks.deliver_webhook(delivery_id=delivery_id)


@shared_task(name="shop_api.tasks.relay_webhooks")
def relay_webhooks() -> None:
    """Every minute: send what is due (queued while the broker was down, retries, leases of dead workers)."""
    webhooks.relay_webhooks()


@shared_task(name="shop_api.tasks.import_order_file")
def import_order_file(upload_id: int) -> None:
    """Import an order file a manager confirmed; does nothing unless it is waiting to be imported."""
    order_files.run_order_file_import(upload_id=upload_id)
