"""The portal's date and number formats, one module per language (``FORMAT_MODULE_PATH``).

Pages, the claim timeline and emails all print a date with ``|date`` (``DATE_FORMAT``)
or a moment with ``|date:"DATETIME_FORMAT"``, so each language has one form of each.
The Vietnamese weekday names are the portal's (asm_portal/django_strings.py).
"""
