"""The claim domain: customers, orders, claims and their history.

A claim's ``status`` is written only by ``claims.services``; the history rows
(events, messages, inspections, photos, notifications) are never deleted.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from claims.expressions import next_date_expression
from claims.lifecycle import OPEN_STATUSES, ClaimEventKind, ClaimKind, Outcome, RejectReason, Status
from policies.reasons import DefectCategory, ReturnReason, ShippingPayer


def normalize_email(email: str) -> str:
    """Customers are identified by email, compared trimmed and case-insensitively."""
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_email(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    """A person: a customer (no password, signs in by link) or a staff member (admin login)."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("name"), max_length=200, blank=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # The language of the pages they see once signed in and of the emails they get;
    # empty until they choose one (emails then go out in LANGUAGE_CODE).
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)


class CustomerManager(UserManager):
    def get_queryset(self) -> models.QuerySet[User]:
        return super().get_queryset().filter(is_staff=False)


class Customer(User):
    """The customers among the users, for the back office's customer list."""

    objects = CustomerManager()  # type: ignore[misc]

    class Meta:
        proxy = True
        verbose_name = _("customer")
        verbose_name_plural = _("customers")


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class Order(models.Model):
    number = models.CharField(_("order number"), max_length=64, unique=True)
    customer = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer")
    )
    purchased_on = models.DateField(_("purchased on"))
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)

    class Meta:
        ordering = ["-purchased_on", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["customer", "-purchased_on"], name="order_customer_recent")]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines", verbose_name=_("order"))
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="order_line_unique_product"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} · {self.product.name} × {self.quantity}"


OPEN_STATUS_VALUES = sorted(str(status) for status in OPEN_STATUSES)


class QuickChoiceLabels(models.Model):
    """``get_FOO_display()`` without Django's rebuilding of the field's whole choice table on each call.

    Django's builds a dict of every choice, hashing each lazy label (a
    translation look-up per choice), for every call: on a page of claims that
    was a sixth of the render. Here the table is built once per field and only
    the one label shown is translated.
    """

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:
        value = getattr(self, field.attname)
        return force_str(_choice_labels(field).get(value, value), strings_only=True)


@functools.cache
def _choice_labels(field: models.Field[Any, Any]) -> dict[Any, Any]:
    return dict(field.flatchoices)


class Claim(QuickChoiceLabels):
    """A return or a warranty claim on one order line."""

    kind = models.CharField(_("kind"), max_length=16, choices=ClaimKind.choices)
    # Empty (NULL) only inside the transaction that files the claim, until its id is known.
    rma_number = models.CharField(  # noqa: DJ001
        _("RMA number"), max_length=20, unique=True, null=True, editable=False
    )
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="claims", verbose_name=_("order line")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, editable=False
    )
    return_reason = models.CharField(
        _("return reason"), max_length=32, choices=ReturnReason.choices, blank=True
    )
    defect_category = models.CharField(
        _("defect category"), max_length=32, choices=DefectCategory.choices, blank=True
    )
    description = models.TextField(_("description"))
    # The customer's declaration (R2–R4 for returns, W4–W5 for warranty).
    declared_intact_unused_packaged = models.BooleanField(
        _("intact, unused, in original packaging (R2)"), default=False
    )
    declared_no_user_damage = models.BooleanField(_("no damage by the user (R3)"), default=False)
    declared_all_accessories_included = models.BooleanField(
        _("all accessories, documents and gifts included (R4)"), default=False
    )
    declared_not_dropped_or_mishandled = models.BooleanField(
        _("not dropped, hit or stored improperly (W4)"), default=False
    )
    declared_no_third_party_repair = models.BooleanField(
        _("not repaired by a third party (W5)"), default=False
    )
    # R6: provisional when approved, confirmed at inspection.
    shipping_payer = models.CharField(
        _("shipping paid by"), max_length=16, choices=ShippingPayer.choices, editable=False
    )
    shipping_payer_note = models.CharField(
        _("why the payer was changed"), max_length=300, blank=True, editable=False
    )
    policy_terms = models.JSONField(_("policy terms when filed"), editable=False)
    filed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by staff member"),
        editable=False,
    )
    # Dates of each stage.
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, editable=False)
    info_requested_at = models.DateTimeField(_("information requested"), null=True, editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, editable=False)
    received_at = models.DateTimeField(_("received"), null=True, editable=False)
    inspected_at = models.DateTimeField(_("inspected"), null=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, editable=False)
    # Shipping back to ASM: a field, not a status.
    shipped_on = models.DateField(_("shipped on"), null=True, editable=False)
    carrier = models.CharField(_("carrier"), max_length=80, blank=True, editable=False)
    tracking_number = models.CharField(_("tracking number"), max_length=80, blank=True, editable=False)
    # RP4 / WP4: fixed when the parcel is received.
    target_on = models.DateField(_("target date"), null=True, editable=False)
    deadline_on = models.DateField(_("deadline"), null=True, editable=False)
    # The end.
    outcome = models.CharField(
        _("outcome"), max_length=24, choices=Outcome.choices, blank=True, editable=False
    )
    outcome_note = models.TextField(_("outcome note"), blank=True, editable=False)
    refund_amount = models.DecimalField(
        _("refund amount"), max_digits=12, decimal_places=2, null=True, editable=False
    )
    shipping_reimbursement = models.DecimalField(
        _("shipping reimbursed"), max_digits=12, decimal_places=2, null=True, editable=False
    )
    payment_reference = models.CharField(_("payment reference"), max_length=120, blank=True, editable=False)
    reject_reason = models.CharField(
        _("rejection reason"), max_length=24, choices=RejectReason.choices, blank=True, editable=False
    )
    # When the deadline sweep acted, so that it acts once per claim and event.
    ship_reminder_sent_at = models.DateTimeField(null=True, editable=False)
    info_reminder_sent_at = models.DateTimeField(null=True, editable=False)
    target_alert_sent_at = models.DateTimeField(null=True, editable=False)
    deadline_alert_sent_at = models.DateTimeField(null=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        # The back office's steps, one permission each (roles: claims/migrations/0003).
        permissions = [
            ("review_claim", "Can ask for information, approve and reject claims, and add internal notes"),
            ("decide_outcome", "Can decide the outcome of an inspected claim"),
            ("receive_claim", "Can mark a claim's parcel received"),
            ("inspect_claim", "Can record the inspection of a received claim"),
            ("view_dashboard", "Can see the deadline dashboard"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["order_line"],
                condition=models.Q(status__in=OPEN_STATUS_VALUES),
                name="claim_one_open_per_order_line",
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="claim_quantity_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "-submitted_at"], name="claim_status_recent"),
            # The dashboard's open claims by status, counted from this small index alone.
            models.Index(
                fields=["status"], condition=models.Q(status__in=OPEN_STATUS_VALUES), name="claim_open_status"
            ),
            # Due soon and overdue (claims.selectors): the dashboard, the queue's filter, the deadline sweep.
            models.Index(
                fields=["target_on"],
                condition=models.Q(status__in=["received", "inspected"]),
                name="claim_clock_target",
            ),
            models.Index(
                fields=["deadline_on"],
                condition=models.Q(status__in=["received", "inspected"]),
                name="claim_clock_deadline",
            ),
            # The warehouse's parcels awaiting inspection, soonest deadline first.
            models.Index(
                fields=["deadline_on", "id"],
                condition=models.Q(status="received"),
                name="claim_awaiting_inspection",
            ),
            # The dashboard's claims resolved lately.
            models.Index(
                fields=["closed_at"], condition=models.Q(status="resolved"), name="claim_resolved_recent"
            ),
            models.Index(fields=["-submitted_at"], name="claim_recent"),
            # The shop's claims feed (shop_api.claim_feed): changed since a moment, paged by (time, id).
            models.Index(fields=["updated_at", "id"], name="claim_updated_feed"),
            # The deadline sweep reads only due claims through these.
            models.Index(
                fields=["approved_at"],
                condition=models.Q(status="approved", shipped_on__isnull=True),
                name="claim_awaiting_shipment",
            ),
            models.Index(
                fields=["info_requested_at"],
                condition=models.Q(status="info_requested"),
                name="claim_awaiting_answer",
            ),
            # The care queue's "most urgent first" (open claims by next date, then newest):
            # read in order instead of sorting every open claim. The expression holds
            # TIME_ZONE as it was at `migrate`; under another zone the queue is right, only slower.
            models.Index(
                next_date_expression(),
                models.F("id").desc(),
                condition=models.Q(status__in=OPEN_STATUS_VALUES),
                name="claim_open_next_date",
            ),
        ]

    def __str__(self) -> str:
        return self.rma_number or f"claim #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ClaimPhoto(QuickChoiceLabels):
    """An image the customer or staff attached; re-encoded, EXIF-free, under a random name.

    A customer's photo is uploaded before the claim exists (``claim`` empty,
    ``owner`` set) and attached when the claim is filed.
    """

    class Stage(models.TextChoices):
        CLAIM = "claim", _("Filed with the claim")
        ANSWER = "answer", _("Sent with an answer")
        INSPECTION = "inspection", _("Taken at inspection")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="photos", null=True, blank=True)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.CLAIM)
    image = models.ImageField(upload_to="claim-photos/%Y/%m/", width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to="claim-photos/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    original_name = models.CharField(max_length=255, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        indexes = [
            models.Index(
                fields=["uploaded_at"], condition=models.Q(claim__isnull=True), name="photo_unattached"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or f"photo #{self.pk}"


class Inspection(models.Model):
    """What the warehouse or warranty center found, beside what the customer declared."""

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="inspection")
    inspector = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    found_intact_unused_packaged = models.BooleanField(_("intact, unused, in original packaging (R2)"))
    found_no_user_damage = models.BooleanField(_("no damage by the user (R3)"))
    found_all_accessories_included = models.BooleanField(_("all accessories, documents and gifts (R4)"))
    signs_of_user_damage = models.BooleanField(_("signs of dropping, impact or improper storage (W4)"))
    signs_of_third_party_repair = models.BooleanField(_("signs of third-party repair (W5)"))
    defect_confirmed = models.BooleanField(_("manufacturing defect confirmed"))
    shipping_damage_confirmed = models.BooleanField(_("shipping damage confirmed"))
    notes = models.TextField(_("notes"), blank=True)
    mismatches = models.JSONField(_("differences from the declaration"), default=list)
    inspected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"inspection of {self.claim}"


class Message(QuickChoiceLabels):
    class Kind(models.TextChoices):
        QUESTION = "question", _("Question from care")
        ANSWER = "answer", _("Answer from the customer")
        INTERNAL_NOTE = "internal_note", _("Internal note (never shown to the customer)")

    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, related_name="messages", verbose_name=_("claim")
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.claim}"


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The audit trail is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit trail is append-only.")


class ClaimEvent(QuickChoiceLabels):
    """The audit trail: one row per change, never edited or deleted."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=32, choices=ClaimEventKind.choices)
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("empty: the system"),
        verbose_name=_("by"),
    )
    customer_visible = models.BooleanField(_("shown to the customer"), default=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["claim", "created_at"], name="event_claim_time")]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit trail is append-only.")


class Notification(models.Model):
    """The outbox row for one email; delivery works from these rows (see ``claims.outbox``)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Nothing to send: a sign-in request whose order number and email match no customer.
        SKIPPED = "skipped", _("Not sent")

    recipient = models.EmailField()
    template_key = models.CharField(max_length=48)
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, related_name="notifications", null=True, blank=True
    )
    unique_key = models.CharField(max_length=200, unique=True)
    context = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="notification_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_key} → {self.recipient}"
