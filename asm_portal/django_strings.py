"""Strings of Django itself that the portal's catalogue translates, read before Django's own.

Django's Vietnamese catalogue names the weekdays "Thứ 2" … "Thứ 7"; ASM writes
them out ("Thứ Hai" … "Thứ Bảy", "Chủ Nhật"), as dates show them (asm_portal/formats).
Its admin catalogue predates Django 5 and lacks the strings below, which care
staff meet on every back-office page. Marked here so that ``make messages`` keeps
them in ``locale/vi/LC_MESSAGES/django.po``; nothing reads these tuples.
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

ADMIN_STRINGS_MISSING_IN_VIETNAMESE = (
    gettext_noop("Breadcrumbs"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Set password"),
    gettext_noop("This action will <strong>enable</strong> password-based authentication for this user."),
    gettext_noop("Disable password-based authentication"),
    gettext_noop("Enable password-based authentication"),
    gettext_noop("Skip to main content"),
    gettext_noop("Hide counts"),
    gettext_noop("Show counts"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    gettext_noop("Added:"),
    gettext_noop("Changed:"),
    gettext_noop("Deleted:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("Toggle navigation"),
    gettext_noop("Sidebar"),
    gettext_noop("Filter navigation items"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("Select all objects on this page for an action"),
)
