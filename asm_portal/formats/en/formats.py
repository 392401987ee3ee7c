# "Friday, 13 February 2026" and "1,250,000 ₫" (see asm_portal.formats and claims.money).
DATE_FORMAT = "l, j F Y"
DATETIME_FORMAT = "l, j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
