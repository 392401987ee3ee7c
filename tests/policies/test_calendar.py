"""The business-day calendar: weekends, the country's public holidays and closure days.

Property tests (hypothesis) state what ``add_business_days`` means, for any
start, any count and any set of closure days.
"""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.calendar import BusinessCalendar, add_business_days, load_business_calendar, public_holidays
from policies.models import ClosureDay

VN_HOLIDAYS = public_holidays("VN", range(2019, 2032))
starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
counts = st.integers(min_value=0, max_value=40)
closures = st.frozensets(st.dates(min_value=date(2020, 1, 1), max_value=date(2031, 3, 31)), max_size=30)


def calendar_with(closure_days: frozenset[date]) -> BusinessCalendar:
    return BusinessCalendar(days_off=VN_HOLIDAYS | closure_days)


def business_days_between(start: date, end: date, calendar: BusinessCalendar) -> int:
    """Business days strictly after ``start``, up to and including ``end``."""
    return sum(
        calendar.is_business_day(start + timedelta(days=offset))
        for offset in range(1, (end - start).days + 1)
    )


@given(start=starts, days=st.integers(min_value=1, max_value=40), closure_days=closures)
def test_the_result_is_a_business_day(start, days, closure_days):
    calendar = calendar_with(closure_days)

    result = add_business_days(start, days, calendar=calendar)

    assert calendar.is_business_day(result)
    assert result.weekday() < 5
    assert result not in VN_HOLIDAYS
    assert result not in closure_days


@given(start=starts, days=counts, closure_days=closures)
def test_exactly_n_business_days_lie_after_the_start_up_to_the_result(start, days, closure_days):
    calendar = calendar_with(closure_days)

    result = add_business_days(start, days, calendar=calendar)

    assert business_days_between(start, result, calendar) == days
    assert result >= start


@given(start=starts, days=counts, closure_days=closures)
def test_one_more_day_is_strictly_later(start, days, closure_days):
    calendar = calendar_with(closure_days)

    assert add_business_days(start, days, calendar=calendar) < add_business_days(
        start, days + 1, calendar=calendar
    )


@given(start=starts, closure_days=closures)
def test_zero_days_is_the_start_itself(start, closure_days):
    """Day 0 is the day received, whatever day it is (PRODUCT.md: RP4 / WP4 clock)."""
    assert add_business_days(start, 0, calendar=calendar_with(closure_days)) == start


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="must not be negative"):
        add_business_days(date(2026, 3, 6), -1, calendar=BusinessCalendar())


@pytest.mark.parametrize(
    ("holiday", "name"),
    [
        (date(2026, 2, 17), "Tết (Lunar New Year)"),
        (date(2026, 2, 19), "Tết, third day"),
        (date(2026, 4, 30), "Reunification Day, 30 April"),
        (date(2026, 5, 1), "Labour Day, 1 May"),
        (date(2026, 9, 2), "National Day, 2 September"),
        (date(2025, 1, 29), "Tết 2025"),
    ],
)
def test_vietnamese_public_holidays_are_not_business_days(holiday, name):
    calendar = BusinessCalendar(days_off=VN_HOLIDAYS)

    assert holiday in VN_HOLIDAYS, name
    assert not calendar.is_business_day(holiday)


def test_tet_week_is_skipped():
    """Received Fri 13 Feb 2026: Mon 16 to Fri 20 Feb is Tết, so the 1st business day is Mon 23."""
    calendar = BusinessCalendar(days_off=VN_HOLIDAYS)

    assert add_business_days(date(2026, 2, 13), 1, calendar=calendar) == date(2026, 2, 23)


@pytest.mark.django_db
def test_the_loaded_calendar_has_the_configured_countrys_holidays_and_the_closure_days(settings):
    settings.ASM_HOLIDAY_COUNTRY = "VN"
    ClosureDay.objects.create(date=date(2026, 3, 10), description="Stocktaking")
    ClosureDay.objects.create(date=date(2030, 1, 2), description="Too far away to matter")

    calendar = load_business_calendar(around=date(2026, 3, 6))

    assert not calendar.is_business_day(date(2026, 3, 10))
    assert not calendar.is_business_day(date(2026, 4, 30))
    assert not calendar.is_business_day(date(2027, 2, 8))  # Tết 2027: the next year is loaded too
    assert calendar.is_business_day(date(2026, 3, 9))
    assert date(2030, 1, 2) not in calendar.days_off


@pytest.mark.django_db
def test_another_country_can_be_configured(settings):
    settings.ASM_HOLIDAY_COUNTRY = "GB"

    calendar = load_business_calendar(around=date(2026, 3, 6))

    assert not calendar.is_business_day(date(2026, 12, 25))
    assert calendar.is_business_day(date(2026, 4, 30))
