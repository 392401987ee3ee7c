"""The email outbox: services record one ``Notification`` row per email in their transaction."""

from typing import Any

from claims.models import Claim, Notification


def record_notification(
    *,
    template_key: str,
    recipient: str,
    unique_key: str,
    claim: Claim | None = None,
    context: dict[str, Any] | None = None,
) -> Notification:
    """Record an email to send; a second call with the same ``unique_key`` records nothing new."""
    notification, _created = Notification.objects.get_or_create(
        unique_key=unique_key,
        defaults={
            "template_key": template_key,
            "recipient": recipient,
            "claim": claim,
            "context": context or {},
        },
    )
    return notification
