"""One date format per language (asm_portal/formats), shared by pages, the timeline and emails."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.utils import translation


@pytest.mark.parametrize(
    ("language", "written"),
    [("vi", "Thứ Sáu, 13/02/2026"), ("en", "Friday, 13 February 2026")],
)
def test_a_date_is_written_the_language_s_way(language, written):
    template = engines["django"].from_string("{{ day|date }}")
    with translation.override(language):
        assert template.render({"day": date(2026, 2, 13)}) == written


VIETNAMESE_WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


@pytest.mark.parametrize(("day", "weekday"), enumerate(VIETNAMESE_WEEKDAYS, start=9))
def test_vietnamese_weekdays_are_written_out(day, weekday):
    """9 February 2026 is a Monday: Django's own catalogue would write "Thứ 2"."""
    template = engines["django"].from_string("{{ day|date }}")
    with translation.override("vi"):
        assert template.render({"day": date(2026, 2, day)}) == f"{weekday}, {day:02d}/02/2026"


@pytest.mark.parametrize(
    ("language", "written"),
    [("vi", "Thứ Sáu, 13/02/2026, 09:30"), ("en", "Friday, 13 February 2026, 09:30")],
)
def test_a_moment_of_the_timeline_adds_the_local_time(language, written):
    template = engines["django"].from_string('{{ at|date:"DATETIME_FORMAT" }}')
    moment = datetime(2026, 2, 13, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with translation.override(language):
        assert template.render({"at": moment}) == written
