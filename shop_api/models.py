"""API keys the shop calls in with, and the webhook endpoints, deliveries and attempts that call it.

Neither secret is ever stored: an API key is kept as its SHA-256 digest, and an
endpoint's signing secret is derived from the server's ``SECRET_KEY`` and a
random salt kept here (``shop_api.webhooks.signing_secret``). Both are shown
once, on the page that creates them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import Claim


class ApiKey(models.Model):
    """One shop or integration calling the API, with what it may do."""

    name = models.CharField(_("name"), max_length=100, help_text=_("Who uses this key, e.g. “Web shop”."))
    prefix = models.CharField(_("key starts with"), max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    can_write_orders = models.BooleanField(_("may write orders"), default=False)
    can_read_claims = models.BooleanField(_("may read claims"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WebhookEvent(models.TextChoices):
    SUBMITTED = "claim.submitted", "claim.submitted"
    APPROVED = "claim.approved", "claim.approved"
    RECEIVED = "claim.received", "claim.received"
    RESOLVED = "claim.resolved", "claim.resolved"
    REJECTED = "claim.rejected", "claim.rejected"
    CANCELLED = "claim.cancelled", "claim.cancelled"
    EXPIRED = "claim.expired", "claim.expired"


class WebhookEndpoint(models.Model):
    """An address of the shop's that hears of claim changes, signed with a secret only it and we know."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("https://…"),
    )
    events = models.JSONField(_("events"), default=list, help_text=_("The claim events sent to this URL."))
    is_active = models.BooleanField(_("active"), default=True)
    # Not a secret: the signing secret is derived from it and the server's SECRET_KEY.
    secret_salt = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """The outbox row for one event to one endpoint; its body is fixed when the claim changes."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    event = models.CharField(_("event"), max_length=32, choices=WebhookEvent.choices)
    event_id = models.UUIDField(_("event id"), editable=False)
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="+", null=True)
    body = models.TextField(_("body"), editable=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once_per_event")
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(state="pending"), name="webhook_due"),
        ]
        permissions = [("redeliver_webhookdelivery", "Can send a webhook delivery again")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """One POST of a delivery and what the endpoint answered."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField(_("started"))
    duration_ms = models.PositiveIntegerField(_("took (ms)"), default=0)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True)
    response_body = models.TextField(_("answer"), blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error[:40]}"


class OrderFileImport(models.Model):
    """An order file a care manager uploaded: checked and previewed first, imported once confirmed."""

    class State(models.TextChoices):
        REFUSED = "refused", _("Refused: nothing imported")
        PREVIEWED = "previewed", _("Checked: waiting for confirmation")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")

    file = models.FileField(_("file"), upload_to="order-imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, editable=False)
    rows = models.PositiveIntegerField(_("rows"), default=0, editable=False)
    # What the import would do (at preview) or did: created and updated, per kind of record.
    summary = models.JSONField(_("summary"), default=dict, editable=False)
    problems = models.JSONField(_("problems"), default=list, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("order file import")
        verbose_name_plural = _("order file imports")

    def __str__(self) -> str:
        return self.original_name
