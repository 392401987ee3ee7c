"""Every example of PRODUCT.md's date table, with leap years and month ends."""

from datetime import date

import pytest

from policies.calendar import BusinessCalendar
from policies.dates import add_months, promised_dates, return_window_ends_on, warranty_ends_on

NO_HOLIDAYS = BusinessCalendar()


@pytest.mark.parametrize(
    ("delivered_on", "last_day"),
    [
        (date(2026, 3, 1), date(2026, 3, 8)),  # PRODUCT.md: delivered 1 Mar, 8 Mar in time, 9 Mar not
        (date(2024, 2, 25), date(2024, 3, 3)),  # across 29 Feb of a leap year
        (date(2025, 2, 25), date(2025, 3, 4)),  # across the end of February in a common year
        (date(2025, 12, 28), date(2026, 1, 4)),  # across the new year
    ],
)
def test_r1_the_return_window_ends_seven_calendar_days_after_delivery(delivered_on, last_day):
    assert return_window_ends_on(delivered_on, window_days=7) == last_day


@pytest.mark.parametrize(
    ("purchased_on", "last_day"),
    [
        (date(2025, 3, 15), date(2026, 3, 15)),  # PRODUCT.md: bought 15 Mar 2025, last day 15 Mar 2026
        (date(2024, 2, 29), date(2025, 2, 28)),  # PRODUCT.md: 29 Feb has no twin in 2025
        (date(2023, 2, 28), date(2024, 2, 28)),  # into a leap year: 28 Feb stays 28 Feb
        (date(2025, 12, 31), date(2026, 12, 31)),
        (date(2025, 1, 1), date(2026, 1, 1)),
    ],
)
def test_w1_the_warranty_lasts_twelve_calendar_months_from_purchase(purchased_on, last_day):
    assert warranty_ends_on(purchased_on, months=12) == last_day


@pytest.mark.parametrize(
    ("start", "months", "moved"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # month end: the shorter month's last day
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # in a leap year
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),  # leap day to leap day
        (date(2025, 11, 15), 2, date(2026, 1, 15)),  # across the new year
        (date(2025, 3, 31), -1, date(2025, 2, 28)),  # backwards, too
        (date(2025, 5, 20), 0, date(2025, 5, 20)),
    ],
)
def test_add_months_clamps_to_the_last_day_of_the_target_month(start, months, moved):
    assert add_months(start, months) == moved


@pytest.mark.parametrize(
    ("received_on", "target_days", "deadline_days", "target_on", "deadline_on"),
    [
        # PRODUCT.md: received Friday 6 Mar 2026 (no holidays): return target Wed 11, deadline Fri 13.
        (date(2026, 3, 6), 3, 5, date(2026, 3, 11), date(2026, 3, 13)),
        # Received Saturday 7 Mar (day 0 is not a business day): the same dates.
        (date(2026, 3, 7), 3, 5, date(2026, 3, 11), date(2026, 3, 13)),
        (date(2026, 3, 8), 3, 5, date(2026, 3, 11), date(2026, 3, 13)),
        # WP4: 7th and 10th business days.
        (date(2026, 3, 6), 7, 10, date(2026, 3, 17), date(2026, 3, 20)),
        (date(2026, 3, 9), 7, 10, date(2026, 3, 18), date(2026, 3, 23)),
    ],
    ids=["rp4-friday", "rp4-saturday", "rp4-sunday", "wp4-friday", "wp4-monday"],
)
def test_rp4_wp4_clock_starts_on_the_day_received(
    received_on, target_days, deadline_days, target_on, deadline_on
):
    dates = promised_dates(
        received_on, target_days=target_days, deadline_days=deadline_days, calendar=NO_HOLIDAYS
    )

    assert (dates.target_on, dates.deadline_on) == (target_on, deadline_on)


def test_rp4_skips_public_holidays_and_closures():
    """Received Wed 29 Apr 2026: 30 Apr and 1 May are Vietnamese holidays, 4 May a closure."""
    calendar = BusinessCalendar(days_off=frozenset({date(2026, 4, 30), date(2026, 5, 1), date(2026, 5, 4)}))

    dates = promised_dates(date(2026, 4, 29), target_days=3, deadline_days=5, calendar=calendar)

    assert (dates.target_on, dates.deadline_on) == (date(2026, 5, 7), date(2026, 5, 11))
