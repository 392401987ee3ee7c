"""The policy terms as an immutable value: what a claim snapshots when it is filed."""

from dataclasses import asdict, dataclass, fields
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from policies.models import CURRENT_TERMS_CACHE_KEY, CURRENT_TERMS_CACHE_SECONDS, PolicyTerms

# The seeded addresses (policies/migrations/0002) say this until a care manager sets the real ones.
UNSET_ADDRESS_MARK = "set the real address"


def address_is_set(address: str) -> bool:
    return bool(address.strip()) and UNSET_ADDRESS_MARK not in address


@dataclass(frozen=True)
class Terms:
    return_window_days: int = 7
    warranty_months: int = 12
    refund_target_business_days: int = 3
    refund_deadline_business_days: int = 5
    repair_target_business_days: int = 7
    repair_deadline_business_days: int = 10
    ship_reminder_days: int = 7
    ship_expiry_days: int = 14
    info_reminder_days: int = 5
    info_expiry_days: int = 14
    warehouse_address: str = ""
    warranty_center_address: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    contact_hours: str = ""

    def destination(self, kind: str) -> str:
        """Where a claim of this kind is sent (RP3, WP3): the warehouse for a return, the warranty center
        otherwise; empty while that address was never set (a placeholder is never shown to customers)."""
        address = self.warehouse_address if kind == "return" else self.warranty_center_address
        return address if address_is_set(address) else ""

    def unset_addresses(self) -> list[str]:
        """The names of the addresses still waiting for a care manager to set them."""
        names = {
            "warehouse_address": _("the warehouse address"),
            "warranty_center_address": _("the warranty center address"),
        }
        return [str(label) for name, label in names.items() if not address_is_set(getattr(self, name))]

    def as_snapshot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any]) -> "Terms":
        """Read a stored snapshot; keys added to the terms later fall back to their defaults."""
        known = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in snapshot.items() if key in known})

    @classmethod
    def from_model(cls, row: PolicyTerms) -> "Terms":
        return cls(**{field.name: getattr(row, field.name) for field in fields(cls)})


def current_terms() -> Terms:
    """The terms in force for a claim filed now (seeded by a data migration).

    Read on nearly every page (the footer's contacts), so kept in the shared
    cache until a manager changes them (``PolicyTerms.save`` forgets them).
    """
    terms = cache.get(CURRENT_TERMS_CACHE_KEY)
    if not isinstance(terms, Terms):
        row = PolicyTerms.objects.order_by("pk").first()
        terms = Terms.from_model(row) if row else Terms()
        cache.set(CURRENT_TERMS_CACHE_KEY, terms, timeout=CURRENT_TERMS_CACHE_SECONDS)
    return terms
