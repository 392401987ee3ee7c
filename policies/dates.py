"""The date readings of PRODUCT.md's table, as pure functions."""

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, timedelta

from policies.calendar import BusinessCalendar, add_business_days


def add_months(start: date, months: int) -> date:
    """``start`` moved by whole months; a day the target month lacks becomes its last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = month_calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def return_window_ends_on(delivered_on: date, *, window_days: int) -> date:
    """R1: the last day a return may be filed, inclusive (delivered 1 Mar → 8 Mar)."""
    return delivered_on + timedelta(days=window_days)


def warranty_ends_on(purchased_on: date, *, months: int) -> date:
    """W1: the last day of the warranty, inclusive (bought 29 Feb 2024 → 28 Feb 2025)."""
    return add_months(purchased_on, months)


@dataclass(frozen=True)
class PromisedDates:
    target_on: date
    deadline_on: date


def promised_dates(
    received_on: date, *, target_days: int, deadline_days: int, calendar: BusinessCalendar
) -> PromisedDates:
    """RP4 / WP4: the day received is day 0; target and deadline are business days after it."""
    return PromisedDates(
        target_on=add_business_days(received_on, target_days, calendar=calendar),
        deadline_on=add_business_days(received_on, deadline_days, calendar=calendar),
    )
