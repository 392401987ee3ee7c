"""The portal's date and number formats, one module per language (``FORMAT_MODULE_PATH``).

Pages, the claim timeline and emails all print a date with ``|date`` (``DATE_FORMAT``)
or a moment with ``|date:"DATETIME_FORMAT"``, so each language has one form of each.

Django's Vietnamese catalogue names the weekdays "Thứ 2" … "Thứ 7"; ASM writes them
out ("Thứ Hai" … "Thứ Bảy", "Chủ Nhật"). Marked here, the weekday names stay in the
portal's catalogue (``locale/``), which Django reads before its own.
"""

from django.utils.translation import gettext_noop

WEEKDAY_NAMES = (
    gettext_noop("Monday"),
    gettext_noop("Tuesday"),
    gettext_noop("Wednesday"),
    gettext_noop("Thursday"),
    gettext_noop("Friday"),
    gettext_noop("Saturday"),
    gettext_noop("Sunday"),
)
