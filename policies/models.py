"""Policy terms and the company's closure days, as data managers can change."""

from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

# Where ``policies.terms.current_terms`` keeps the terms in force; a change forgets them.
CURRENT_TERMS_CACHE_KEY = "policies:current-terms:1"
# How long the cache may keep them at most: bounds a change whose forgetting was lost
# (the cache unreachable at that instant, back afterwards).
CURRENT_TERMS_CACHE_SECONDS = 300


class PolicyTermsQuerySet(models.QuerySet["PolicyTerms"]):
    """Bulk changes forget the cached terms too, as ``PolicyTerms.save`` does."""

    def update(self, **kwargs: Any) -> int:
        updated = super().update(**kwargs)
        forget_current_terms()
        return updated

    def delete(self) -> tuple[int, dict[str, int]]:
        deleted = super().delete()
        forget_current_terms()
        return deleted


class PolicyTerms(models.Model):
    """The terms in force for new claims (one row); each claim keeps a snapshot."""

    return_window_days = models.PositiveSmallIntegerField(
        _("return window (calendar days from delivery)"), default=7
    )
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months from purchase)"), default=12)
    refund_target_business_days = models.PositiveSmallIntegerField(
        _("refund target (business days)"), default=3
    )
    refund_deadline_business_days = models.PositiveSmallIntegerField(
        _("refund deadline (business days)"), default=5
    )
    repair_target_business_days = models.PositiveSmallIntegerField(
        _("repair or replacement target (business days)"), default=7
    )
    repair_deadline_business_days = models.PositiveSmallIntegerField(
        _("repair or replacement deadline (business days)"), default=10
    )
    ship_reminder_days = models.PositiveSmallIntegerField(_("remind to ship after (days)"), default=7)
    ship_expiry_days = models.PositiveSmallIntegerField(_("expire if not shipped after (days)"), default=14)
    info_reminder_days = models.PositiveSmallIntegerField(_("remind to answer after (days)"), default=5)
    info_expiry_days = models.PositiveSmallIntegerField(_("expire if not answered after (days)"), default=14)
    warehouse_address = models.TextField(_("warehouse address (returns)"))
    warranty_center_address = models.TextField(_("warranty center address"))
    contact_email = models.EmailField(_("care email"), blank=True)
    contact_phone = models.CharField(_("care phone"), max_length=40, blank=True)
    contact_hours = models.CharField(_("care opening hours"), max_length=120, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PolicyTermsQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy terms")
        verbose_name_plural = _("policy terms")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    refund_target_business_days__lte=models.F("refund_deadline_business_days")
                ),
                name="refund_target_not_after_deadline",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    repair_target_business_days__lte=models.F("repair_deadline_business_days")
                ),
                name="repair_target_not_after_deadline",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Policy terms"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        forget_current_terms()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        forget_current_terms()
        return deleted


class ClosureDay(models.Model):
    """A day that is not a business day beyond weekends and the country's public holidays."""

    date = models.DateField(_("date"), unique=True)
    description = models.CharField(_("description"), max_length=120)

    class Meta:
        ordering = ["date"]
        verbose_name = _("closure day")
        verbose_name_plural = _("closure days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.description}"


def forget_current_terms() -> None:
    """Now, for this transaction's own next read, and on commit, for everyone else's: a page that read
    the old terms while the change was committing cannot put them back in the cache for long."""
    cache.delete(CURRENT_TERMS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CURRENT_TERMS_CACHE_KEY), robust=True)
