"""The business-day calendar: weekends, public holidays and company closure days."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays
from django.conf import settings

from policies.models import ClosureDay

SATURDAY = 5


@dataclass(frozen=True)
class BusinessCalendar:
    """A pure calendar: a business day is a weekday that is not among ``days_off``."""

    days_off: frozenset[date] = field(default_factory=frozenset)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self.days_off


def add_business_days(start: date, days: int, *, calendar: BusinessCalendar) -> date:
    """The ``days``-th business day after ``start`` (``start`` itself is day 0, whatever it is)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    counted = 0
    while counted < days:
        current += timedelta(days=1)
        if calendar.is_business_day(current):
            counted += 1
    return current


def public_holidays(country: str, years: Iterable[int]) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=list(years)).keys())


def load_business_calendar(*, around: date, country: str | None = None) -> BusinessCalendar:
    """The calendar for dates near ``around``: its year and the next (enough for any clock here)."""
    years = range(around.year - 1, around.year + 2)
    closures = ClosureDay.objects.filter(
        date__gte=date(years[0], 1, 1), date__lte=date(years[-1], 12, 31)
    ).values_list("date", flat=True)
    return BusinessCalendar(
        days_off=public_holidays(country or settings.ASM_HOLIDAY_COUNTRY, years) | frozenset(closures)
    )
