"""Eligibility of returns (R1–R4) and warranty claims (W1–W5), as pure functions.

Every verdict carries a reason a customer can be shown. ``today`` is always
passed in: the rules never read the clock.
"""

import functools
from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from policies.dates import return_window_ends_on, warranty_ends_on
from policies.declaration import Declaration
from policies.reasons import LATE_RETURN_WARRANTY_CATEGORY, RETURN_RULES, ReturnReason
from policies.terms import Terms


def human_date(day: date) -> str:
    """The day as pages and emails write it in the active language (DATE_FORMAT)."""
    return _formatted_day(day, get_language())


@functools.lru_cache(maxsize=4096)
def _formatted_day(day: date, language: str | None) -> str:
    """Remembered per language: my orders writes the same few days for every line of an order."""
    return date_format(day)


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    reason: str
    last_day: date | None = None
    days_left: int | None = None
    # Declaration field name → why it fails what the reason requires.
    problems: dict[str, str] = field(default_factory=dict)
    # A late return whose reason is a defect may go the warranty path instead.
    offer_warranty: bool = False


def return_window(*, delivered_on: date | None, today: date, terms: Terms) -> Verdict:
    """R1: within ``return_window_days`` calendar days of delivery, the last day inclusive."""
    if delivered_on is None:
        return Verdict(
            eligible=False,
            reason=_("This order has not been delivered yet, so it cannot be returned."),
        )
    last_day = return_window_ends_on(delivered_on, window_days=terms.return_window_days)
    if today > last_day:
        return Verdict(
            eligible=False,
            reason=_("The %(days)d-day return window ended on %(day)s.")
            % {"days": terms.return_window_days, "day": human_date(last_day)},
            last_day=last_day,
            days_left=0,
        )
    return Verdict(
        eligible=True,
        reason=_("You can return this item until %(day)s.") % {"day": human_date(last_day)},
        last_day=last_day,
        days_left=(last_day - today).days,
    )


def return_declaration_problems(reason: ReturnReason, declaration: Declaration) -> dict[str, str]:
    """R2–R4 as the reason table reads them: each required statement the customer did not make."""
    rule = RETURN_RULES[reason]
    problems: dict[str, str] = {}
    if rule.requires_intact and not declaration.intact_unused_packaged:
        problems["intact_unused_packaged"] = _(
            "For this reason the item must be intact, unused and in its original packaging (R2)."
        )
    if rule.requires_no_user_damage and not declaration.no_user_damage:
        problems["no_user_damage"] = _("Items damaged by use or accident cannot be returned (R3).")
    if rule.requires_accessories and not declaration.all_accessories_included:
        problems["all_accessories_included"] = _(
            "All accessories, documents and gifts must be sent back with the item (R4)."
        )
    return problems


def return_eligibility(
    *,
    delivered_on: date | None,
    today: date,
    terms: Terms,
    reason: ReturnReason,
    declaration: Declaration,
) -> Verdict:
    """R1–R4 for one return request; a late return with a defect is offered the warranty path."""
    window = return_window(delivered_on=delivered_on, today=today, terms=terms)
    if not window.eligible:
        return Verdict(
            eligible=False,
            reason=window.reason,
            last_day=window.last_day,
            days_left=window.days_left,
            offer_warranty=delivered_on is not None and reason in LATE_RETURN_WARRANTY_CATEGORY,
        )
    problems = return_declaration_problems(reason, declaration)
    if problems:
        return Verdict(
            eligible=False,
            reason=_("The item does not meet the return conditions for this reason."),
            last_day=window.last_day,
            days_left=window.days_left,
            problems=problems,
        )
    return window


def warranty_period(*, purchased_on: date, delivered_on: date | None, today: date, terms: Terms) -> Verdict:
    """W1: ``warranty_months`` calendar months from purchase, the last day inclusive; an item not yet
    delivered cannot be claimed under warranty (there is nothing to send back)."""
    if delivered_on is None:
        return Verdict(
            eligible=False,
            reason=_("This order has not been delivered yet: a warranty claim can be filed once it arrives."),
        )
    last_day = warranty_ends_on(purchased_on, months=terms.warranty_months)
    if today > last_day:
        return Verdict(
            eligible=False,
            reason=_("The %(months)d-month warranty ended on %(day)s.")
            % {"months": terms.warranty_months, "day": human_date(last_day)},
            last_day=last_day,
            days_left=0,
        )
    return Verdict(
        eligible=True,
        reason=_("Under warranty until %(day)s.") % {"day": human_date(last_day)},
        last_day=last_day,
        days_left=(last_day - today).days,
    )


def warranty_eligibility(
    *, purchased_on: date, delivered_on: date | None, today: date, terms: Terms, declaration: Declaration
) -> Verdict:
    """W1 and the exclusions the customer must rule out: W4 (user damage) and W5 (third-party repair)."""
    period = warranty_period(purchased_on=purchased_on, delivered_on=delivered_on, today=today, terms=terms)
    if not period.eligible:
        return period
    problems: dict[str, str] = {}
    if not declaration.not_dropped_or_mishandled:
        problems["not_dropped_or_mishandled"] = _(
            "The warranty does not cover damage from dropping, heavy impact or improper storage (W4)."
        )
    if not declaration.no_third_party_repair:
        problems["no_third_party_repair"] = _(
            "The warranty does not cover products repaired by unauthorised third parties (W5)."
        )
    if problems:
        return Verdict(
            eligible=False,
            reason=_("The warranty does not cover this item as described."),
            last_day=period.last_day,
            days_left=period.days_left,
            problems=problems,
        )
    return period


def return_requires_photos(reason: ReturnReason) -> bool:
    """RP2: pictures are required when the product is defective, damaged or not as described."""
    return RETURN_RULES[reason].requires_photos
